// addr_watch: timestamp IPv4 address notifications (RTM_NEWADDR / RTM_DELADDR) of the
// current network namespace, for the takeover benchmark (tests/bench/takeover.sh).
//
//   addr_watch [--duration S (60, max 600)]
//
// Prints "ready" on stderr once subscribed. Every notification is stamped with
// CLOCK_REALTIME as soon as recv() returns it and kept in memory (no output while watching,
// so the watcher keeps up with a burst of a thousand); on SIGTERM/SIGINT or after --duration
// it prints one line per event and exits 0:
//
//   <unix time ns> add|del <address>/<prefix length> <ifindex>
//   <unix time ns> overrun                 (the socket buffer overflowed: events were lost)
//
// Run it with a real-time priority (chrt -f) so that it is woken at once: the timestamps
// are then within microseconds of the kernel's notifications.
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::int64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Event {
  std::int64_t at_ns;
  bool added;
  bool overrun;
  in_addr address;
  int prefix;
  int ifindex;
};

void parse(const std::uint8_t* data, std::size_t len, std::int64_t at, std::vector<Event>& out) {
  for (auto* nh = reinterpret_cast<const nlmsghdr*>(data); NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
    if (nh->nlmsg_type != RTM_NEWADDR && nh->nlmsg_type != RTM_DELADDR) continue;
    const auto* ifa = static_cast<const ifaddrmsg*>(NLMSG_DATA(nh));
    if (ifa->ifa_family != AF_INET) continue;
    Event e{at, nh->nlmsg_type == RTM_NEWADDR, false, {}, ifa->ifa_prefixlen,
            static_cast<int>(ifa->ifa_index)};
    bool found = false;
    int rtlen = static_cast<int>(IFA_PAYLOAD(nh));
    for (auto* rta = IFA_RTA(ifa); RTA_OK(rta, rtlen); rta = RTA_NEXT(rta, rtlen)) {
      // IFA_LOCAL is the interface's own address; IFA_ADDRESS the peer's on point-to-point
      // links, and the same as IFA_LOCAL otherwise.
      if ((rta->rta_type == IFA_LOCAL || (rta->rta_type == IFA_ADDRESS && !found)) &&
          RTA_PAYLOAD(rta) == sizeof(in_addr)) {
        std::memcpy(&e.address, RTA_DATA(rta), sizeof(in_addr));
        found = true;
      }
    }
    if (found) out.push_back(e);
  }
}

}  // namespace

int main(int argc, char** argv) {
  double duration_s = 60;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--duration" && i + 1 < argc) {
      duration_s = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: addr_watch [--duration S (60, max 600)]\n");
      return 2;
    }
  }
  if (duration_s <= 0 || duration_s > 600) {
    std::fprintf(stderr, "addr_watch: --duration must be in (0, 600]\n");
    return 2;
  }

  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) {
    std::perror("addr_watch: socket");
    return 1;
  }
  // Room for a few thousand notifications even if we are late (FORCE: above rmem_max, root).
  const int rcvbuf = 16 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = RTMGRP_IPV4_IFADDR;
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) {
    std::perror("addr_watch: bind");
    return 1;
  }

  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  std::vector<Event> events;
  events.reserve(1 << 16);
  std::vector<std::uint8_t> buffer(1 << 16);
  std::fprintf(stderr, "ready\n");
  std::fflush(stderr);

  const std::int64_t end = monotonic_ns() + static_cast<std::int64_t>(duration_s * 1e9);
  while (!g_stop) {
    const std::int64_t left_ms = (end - monotonic_ns()) / 1000000;
    if (left_ms <= 0) break;
    pollfd pfd{fd, POLLIN, 0};
    const int rc = poll(&pfd, 1, static_cast<int>(left_ms < 200 ? left_ms : 200));
    if (rc <= 0) continue;  // timeout or EINTR: check the clock and the stop flag
    for (;;) {              // drain what is queued
      const ssize_t n = recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      const std::int64_t at = realtime_ns();
      if (n < 0) {
        if (errno == ENOBUFS) {
          events.push_back(Event{at, false, true, {}, 0, 0});
          continue;
        }
        break;  // EAGAIN: drained (or EINTR: the loop checks the stop flag)
      }
      parse(buffer.data(), static_cast<std::size_t>(n), at, events);
    }
  }
  close(fd);

  for (const auto& e : events) {
    if (e.overrun) {
      std::printf("%lld overrun\n", static_cast<long long>(e.at_ns));
      continue;
    }
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &e.address, text, sizeof text);
    std::printf("%lld %s %s/%d %d\n", static_cast<long long>(e.at_ns), e.added ? "add" : "del", text,
                e.prefix, e.ifindex);
  }
  std::fflush(stdout);
  return 0;
}
