// floatctl [-s SOCKET] status|peers|history [--json] | watch | metrics | resign NAME
//          | maintenance on|off
// Talks to a running floatd over its control socket (agent/control_protocol.hpp).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/control_protocol.hpp"
#include "agent/floatctl_tables.hpp"
#include "agent/unique_fd.hpp"

namespace {

constexpr const char* kDefaultSocket = "/run/floatd/floatd.sock";

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: floatctl [-s SOCKET] COMMAND\n"
               "  status [--json]   state, priorities, VIPs and master of every instance\n"
               "  peers [--json]    every VRRP speaker heard, per interface and VRID\n"
               "  history [--json]  recent state changes with their reasons\n"
               "  watch             follow state changes live (one JSON object per line)\n"
               "  metrics           counters in the Prometheus text format\n"
               "  resign NAME       hand instance NAME's VIPs to a backup now (MASTER only)\n"
               "  maintenance on|off  hand every VIP over and stay out of MASTER (persists)\n"
               "  -s SOCKET         control socket (default %s)\n",
               kDefaultSocket);
}

std::string connect_hint(int err) {
  if (err == ENOENT || err == ECONNREFUSED) return " (is floatd running?)";
  if (err == EACCES || err == EPERM) return " (run as root or as a member of group floatd)";
  return "";
}

// A connected socket, or an invalid one after printing why.
floatd::UniqueFd connect_to(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    std::fprintf(stderr, "floatctl: socket path too long: %s\n", path.c_str());
    return {};
  }
  path.copy(addr.sun_path, path.size());
  floatd::UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    std::fprintf(stderr, "floatctl: cannot connect to %s: %s%s\n", path.c_str(),
                 std::strerror(err), connect_hint(err).c_str());
    return {};
  }
  return fd;
}

// Reads one line; nullopt at EOF, on error or after the socket's receive timeout.
std::optional<std::string> read_line(int fd, std::string& buffer) {
  char buf[4096];
  std::size_t newline;
  while ((newline = buffer.find('\n')) == std::string::npos) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    buffer.append(buf, static_cast<std::size_t>(n));
  }
  auto line = buffer.substr(0, newline);
  buffer.erase(0, newline + 1);
  return line;
}

// Sends one request; the first response line, or nullopt after printing the error.
std::optional<std::string> request(int fd, const std::string& path, const std::string& request,
                                   std::string& buffer) {
  const std::string line = request + "\n";
  if (send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    std::fprintf(stderr, "floatctl: cannot send to %s: %s\n", path.c_str(), std::strerror(errno));
    return std::nullopt;
  }
  auto response = read_line(fd, buffer);
  if (!response) std::fprintf(stderr, "floatctl: no answer from floatd on %s\n", path.c_str());
  return response;
}

// Why the command line was not understood, in one line.
std::string usage_error(const std::vector<std::string_view>& args, bool json) {
  if (args.empty()) return "no command given";
  const std::string command(args[0]);
  static const std::vector<std::string> known{"status", "peers",   "history",
                                              "watch",  "metrics", "resign", "maintenance"};
  if (std::find(known.begin(), known.end(), command) == known.end())
    return "unknown command '" + command + "'";
  if (command == "resign" && args.size() < 2) return "resign needs an instance NAME";
  if (command == "maintenance" && (args.size() < 2 || (args[1] != "on" && args[1] != "off")))
    return "maintenance needs 'on' or 'off'";
  if (json) return "--json goes with status, peers, history or maintenance";
  return "unexpected arguments after '" + command + "'";
}

enum class Output { Table, Json, Raw };

// The "result" of a successful reply, or nullopt after printing floatd's error.
std::optional<nlohmann::json> result_of(const std::string& response) {
  const auto j = nlohmann::json::parse(response, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("ok")) {
    std::fprintf(stderr, "floatctl: malformed answer from floatd\n");
    return std::nullopt;
  }
  if (!j.at("ok").is_boolean() || !j.at("ok").get<bool>()) {
    std::fprintf(stderr, "floatctl: %s\n", j.value("error", std::string("error")).c_str());
    return std::nullopt;
  }
  return j.value("result", nlohmann::json::object());
}

int print(const floatd::control::Request& req, const nlohmann::json& result, Output output) {
  namespace r = floatd::control::request;
  if (output == Output::Json) {
    std::printf("%s\n", result.dump(2).c_str());
    return 0;
  }
  std::string text;
  if (std::holds_alternative<r::Metrics>(req)) {
    text = result.at("text").get<std::string>();
  } else if (std::holds_alternative<r::Peers>(req)) {
    text = floatd::format_peers_table(result);
  } else if (std::holds_alternative<r::History>(req)) {
    text = floatd::format_history_table(result);
  } else {
    text = floatd::format_status_table(floatd::control::status_from_json(result));
    if (result.value("maintenance", false))
      text += "maintenance mode is on: no instance becomes MASTER (floatctl maintenance off)\n";
  }
  std::fputs(text.c_str(), stdout);
  return 0;
}

int run(const std::string& path, const floatd::control::Request& req, Output output) {
  const auto fd = connect_to(path);
  if (fd.get() < 0) return 1;
  const bool watch = std::holds_alternative<floatd::control::request::Watch>(req);
  const timeval timeout{5, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string buffer;
  const auto response = request(fd.get(), path, floatd::control::format_request(req), buffer);
  if (!response) return 1;
  const auto result = result_of(*response);
  if (!result) return 1;
  if (!watch) {
    try {
      return print(req, *result, output);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "floatctl: unexpected answer from floatd: %s\n", e.what());
      return 1;
    }
  }
  const timeval forever{0, 0};  // events come when they come
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &forever, sizeof forever);
  while (const auto line = read_line(fd.get(), buffer)) {
    std::printf("%s\n", line->c_str());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path = kDefaultSocket;
  std::vector<std::string_view> args;
  bool json = false;
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
    } else if (arg == "--version") {
      std::printf("floatctl %s\n", FLOATD_VERSION);
      return 0;
    } else if (arg == "--json") {
      json = true;
    } else {
      args.push_back(arg);
    }
  }
  namespace r = floatd::control::request;
  const auto output = json ? Output::Json : Output::Table;
  if (args.size() == 1) {
    const auto command = args[0];
    if (command == "status") return run(socket_path, r::Status{}, output);
    if (command == "peers") return run(socket_path, r::Peers{}, output);
    if (command == "history") return run(socket_path, r::History{}, output);
    if (command == "watch" && !json) return run(socket_path, r::Watch{}, Output::Raw);
    if (command == "metrics" && !json) return run(socket_path, r::Metrics{}, Output::Raw);
  }
  if (args.size() == 2 && args[0] == "maintenance" && (args[1] == "on" || args[1] == "off"))
    return run(socket_path, r::Maintenance{args[1] == "on"}, output);
  if (args.size() == 2 && args[0] == "resign" && !json)
    return run(socket_path, r::Resign{std::string(args[1])}, Output::Table);
  std::fprintf(stderr, "floatctl: %s\n", usage_error(args, json).c_str());
  usage(stderr);
  return 2;
}
