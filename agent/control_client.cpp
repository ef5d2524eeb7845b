#include "agent/control_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace floatd::control {
namespace {

std::string connect_hint(int err) {
  if (err == ENOENT || err == ECONNREFUSED) return " (is floatd running?)";
  if (err == EACCES || err == EPERM) return " (run as root or as a member of group floatd)";
  return "";
}

void set_receive_timeout(int fd, std::chrono::seconds timeout) {
  const timeval tv{static_cast<time_t>(timeout.count()), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

}  // namespace

Client::Client(std::string path, std::chrono::seconds timeout) : path_(std::move(path)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof addr.sun_path)
    throw ClientError(fmt::format("socket path too long: {}", path_));
  path_.copy(addr.sun_path, path_.size());
  fd_ = UniqueFd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (connect(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ClientError error(fmt::format("cannot connect to {}: {}{}", path_, std::strerror(err),
                                  connect_hint(err)));
    error.error_number = err;
    throw error;
  }
  const timeval tv{static_cast<time_t>(timeout.count()), 0};
  setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  set_receive_timeout(fd_.get(), timeout);
}

Reply Client::call(const Request& request) {
  const std::string line = format_request(request) + "\n";
  if (send(fd_.get(), line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
    throw ClientError(fmt::format("cannot send to {}: {}", path_, std::strerror(errno)));
  const auto response = read_line();
  if (!response) throw ClientError(fmt::format("no answer from floatd on {}", path_));
  const auto j = nlohmann::json::parse(*response, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("ok") || !j.at("ok").is_boolean())
    throw ClientError("malformed answer from floatd");
  if (!j.at("ok").get<bool>()) return {false, {}, j.value("error", std::string("error"))};
  return {true, j.value("result", nlohmann::json::object()), ""};
}

std::optional<std::string> Client::next_line() {
  set_receive_timeout(fd_.get(), std::chrono::seconds(0));  // events come when they come
  return read_line();
}

bool Client::wait_closed() {
  char buf[256];
  for (;;) {
    const ssize_t n = read(fd_.get(), buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

// Nullopt at EOF, on an error or after the receive timeout.
std::optional<std::string> Client::read_line() {
  char buf[4096];
  std::size_t newline;
  while ((newline = buffer_.find('\n')) == std::string::npos) {
    const ssize_t n = read(fd_.get(), buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
  auto line = buffer_.substr(0, newline);
  buffer_.erase(0, newline + 1);
  return line;
}

}  // namespace floatd::control
