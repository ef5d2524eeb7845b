#include "agent/doctor_listen.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "agent/unique_fd.hpp"

namespace floatd::doctor {
namespace {

constexpr int kVrrpProtocol = 112;
constexpr std::size_t kBufferSize = 2048;  // larger than any valid IPv4 advert

std::string errno_text(const char* call) {
  return fmt::format("{}: {}", call, std::generic_category().message(errno));
}

// A receive-only socket for adverts on one interface, or the reason there is none.
UniqueFd open_listener(const InterfaceIndex& i, std::string& error) {
  UniqueFd fd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, kVrrpProtocol));
  if (!fd) {
    error = errno_text("socket(AF_INET, SOCK_RAW, 112)");
    return fd;
  }
  // Only this interface's adverts, and only groups this socket joined.
  if (setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, i.name.c_str(), i.name.size() + 1) < 0) {
    error = errno_text("setsockopt(SO_BINDTODEVICE)");
    return UniqueFd();
  }
  const int off = 0;
  setsockopt(fd.get(), IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof off);
  ip_mreqn request{};
  request.imr_ifindex = i.ifindex;
  inet_pton(AF_INET, "224.0.0.18", &request.imr_multiaddr);
  if (setsockopt(fd.get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof request) < 0) {
    error = errno_text("setsockopt(IP_ADD_MEMBERSHIP)");
    return UniqueFd();
  }
  return fd;
}

void drain(int fd, ListenFacts& facts) {
  std::array<std::uint8_t, kBufferSize> buffer;
  for (;;) {
    const ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EAGAIN: drained
    auto heard = classify_datagram(
        std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(n)));
    if (heard) record_heard(facts.heard, std::move(*heard));
  }
}

}  // namespace

ListenTable listen_for_adverts(const std::vector<InterfaceIndex>& interfaces, Duration duration) {
  ListenTable table;
  std::vector<UniqueFd> sockets;
  std::vector<pollfd> fds;
  std::vector<std::string> names;
  for (const auto& i : interfaces) {
    if (i.ifindex <= 0) continue;
    ListenFacts& facts = table[i.name];
    facts.duration = duration;
    UniqueFd fd = open_listener(i, facts.error);
    if (!fd) continue;
    fds.push_back({fd.get(), POLLIN, 0});
    names.push_back(i.name);
    sockets.push_back(std::move(fd));
  }
  const auto deadline = std::chrono::steady_clock::now() + duration;
  while (!fds.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const int n = poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) break;
    for (std::size_t k = 0; n > 0 && k < fds.size(); ++k) {
      if (fds[k].revents & POLLIN) drain(fds[k].fd, table[names[k]]);
    }
  }
  return table;
}

}  // namespace floatd::doctor
