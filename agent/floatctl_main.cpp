// floatctl [-s SOCKET] status [--json] | resign NAME
// Talks to a running floatd over its control socket (agent/control_protocol.hpp).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/control_protocol.hpp"
#include "agent/status_table.hpp"
#include "agent/unique_fd.hpp"

namespace {

constexpr const char* kDefaultSocket = "/run/floatd/floatd.sock";

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: floatctl [-s SOCKET] COMMAND\n"
               "  status [--json]   state, priorities, VIPs and master of every instance\n"
               "  resign NAME       hand instance NAME's VIPs to a backup now (MASTER only)\n"
               "  -s SOCKET         control socket (default %s)\n",
               kDefaultSocket);
}

std::string connect_hint(int err) {
  if (err == ENOENT || err == ECONNREFUSED) return " (is floatd running?)";
  if (err == EACCES || err == EPERM) return " (run as root or as a member of group floatd)";
  return "";
}

// One request line out, one response line back. nullopt after printing the error.
std::optional<std::string> round_trip(const std::string& path, const std::string& request) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    std::fprintf(stderr, "floatctl: socket path too long: %s\n", path.c_str());
    return std::nullopt;
  }
  path.copy(addr.sun_path, path.size());
  floatd::UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const timeval timeout{5, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    std::fprintf(stderr, "floatctl: cannot connect to %s: %s%s\n", path.c_str(),
                 std::strerror(err), connect_hint(err).c_str());
    return std::nullopt;
  }
  const std::string line = request + "\n";
  if (send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    std::fprintf(stderr, "floatctl: cannot send to %s: %s\n", path.c_str(), std::strerror(errno));
    return std::nullopt;
  }
  std::string response;
  char buf[4096];
  while (response.find('\n') == std::string::npos) {
    const ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n <= 0) break;
    response.append(buf, static_cast<std::size_t>(n));
  }
  if (response.empty()) {
    std::fprintf(stderr, "floatctl: no answer from floatd on %s\n", path.c_str());
    return std::nullopt;
  }
  return response.substr(0, response.find('\n'));
}

int print_result(const std::string& response, bool json) {
  const auto j = nlohmann::json::parse(response, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("ok")) {
    std::fprintf(stderr, "floatctl: malformed answer from floatd\n");
    return 1;
  }
  if (!j.at("ok").get<bool>()) {
    std::fprintf(stderr, "floatctl: %s\n", j.value("error", std::string("error")).c_str());
    return 1;
  }
  const auto& result = j.at("result");
  if (json) {
    std::printf("%s\n", result.dump(2).c_str());
    return 0;
  }
  try {
    std::fputs(floatd::format_status_table(floatd::control::status_from_json(result)).c_str(),
               stdout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "floatctl: unexpected answer from floatd: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path = kDefaultSocket;
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-s" || arg == "--socket") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "floatctl: %s needs a value\n", argv[i]);
        return 2;
      }
      socket_path = argv[++i];
    } else if (arg == "-h" || arg == "--help") {
      usage(stdout);
      return 0;
    } else {
      args.push_back(arg);
    }
  }
  namespace req = floatd::control::request;
  if (args.size() >= 1 && args[0] == "status" &&
      (args.size() == 1 || (args.size() == 2 && args[1] == "--json"))) {
    const auto response = round_trip(socket_path, floatd::control::format_request(req::Status{}));
    return response ? print_result(*response, args.size() == 2) : 1;
  }
  if (args.size() == 2 && args[0] == "resign") {
    const auto response = round_trip(
        socket_path, floatd::control::format_request(req::Resign{std::string(args[1])}));
    return response ? print_result(*response, false) : 1;
  }
  usage(stderr);
  return 2;
}
