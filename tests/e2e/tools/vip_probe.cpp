// vip_probe: measure how long a client loses an IPv4 address (the VIP) during a failover.
//
// Sends an ICMP echo request to the target every --interval-ms (default 5 ms) and records
// when each reply arrives. On SIGTERM/SIGINT, or after --duration seconds (always bounded),
// it prints one line of key=value pairs and exits 0:
//
//   max_gap_ms=412.3 gap_start_ms=2051.7 sent=1200 received=1118 duplicates=0
//   first_reply_ms=0.4 tail_gap_ms=1.9 elapsed_ms=6012.0
//
// max_gap_ms   longest interval between two consecutive replies (the outage the client saw)
// gap_start_ms when that interval began, relative to the start of the probe
// tail_gap_ms  time from the last reply to the end of the run (large = never came back)
// first_reply_ms  time to the first reply (-1 if none)
//
// Needs CAP_NET_RAW (a raw ICMP socket); falls back to an unprivileged ICMP datagram socket.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
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

volatile std::sig_atomic_t g_stop = 0;  // set by the signal handler only

void on_signal(int) { g_stop = 1; }

double now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

std::uint16_t inet_checksum(const void* data, std::size_t len) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < len; i += 2) sum += (p[i] << 8) | p[i + 1];
  if (len & 1) sum += p[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<std::uint16_t>(~sum));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

void usage() {
  std::fprintf(stderr,
               "usage: vip_probe --target IPV4 [--interval-ms N (5)] [--duration S (30, max 600)]\n"
               "                 [--verbose]\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::string target;
  double interval_ms = 5.0;
  double duration_s = 30.0;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--target") target = value();
    else if (a == "--interval-ms") interval_ms = std::atof(value());
    else if (a == "--duration") duration_s = std::atof(value());
    else if (a == "--verbose") verbose = true;
    else {
      usage();
      return 2;
    }
  }
  if (target.empty() || interval_ms < 1 || duration_s <= 0 || duration_s > 600) {
    usage();
    return 2;
  }
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  if (inet_pton(AF_INET, target.c_str(), &dst.sin_addr) != 1) {
    std::fprintf(stderr, "vip_probe: bad IPv4 address %s\n", target.c_str());
    return 2;
  }

  bool raw = true;
  int s = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (s < 0) {
    raw = false;
    s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  }
  if (s < 0) {
    std::fprintf(stderr, "vip_probe: cannot open an ICMP socket: %s\n", std::strerror(errno));
    return 1;
  }
  Fd sock(s);
  // The kernel rewrites the identifier of datagram ICMP sockets; learn it from the replies.
  const std::uint16_t ident = static_cast<std::uint16_t>(getpid() & 0xffff);

  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  const double start = now_ms();
  const double end = start + duration_s * 1e3;
  double next_send = start;
  std::uint16_t seq = 0;
  std::uint64_t sent = 0, received = 0, duplicates = 0;
  std::vector<std::uint8_t> seen(65536, 0);  // per-sequence reply marker (wraps after 65536)
  double last_reply = -1, first_reply = -1, max_gap = 0, gap_start = -1;

  while (!g_stop) {
    double t = now_ms();
    if (t >= end) break;
    if (t >= next_send) {
      std::uint8_t pkt[64]{};
      auto* icmp = reinterpret_cast<icmphdr*>(pkt);
      icmp->type = ICMP_ECHO;
      icmp->un.echo.id = htons(ident);
      icmp->un.echo.sequence = htons(seq);
      seen[seq] = 0;
      std::memcpy(pkt + sizeof(icmphdr), &t, sizeof t);
      icmp->checksum = inet_checksum(pkt, sizeof pkt);
      if (sendto(sock.get(), pkt, sizeof pkt, 0, reinterpret_cast<sockaddr*>(&dst), sizeof dst) ==
          static_cast<ssize_t>(sizeof pkt))
        ++sent;
      else if (verbose)
        std::fprintf(stderr, "vip_probe: %.1f ms: send: %s\n", t - start, std::strerror(errno));
      ++seq;
      next_send += interval_ms;
      if (next_send < t) next_send = t + interval_ms;  // we were descheduled: do not burst
    }
    double wait = next_send - now_ms();
    if (wait > end - now_ms()) wait = end - now_ms();
    if (wait < 0) wait = 0;
    pollfd pfd{sock.get(), POLLIN, 0};
    timespec timeout{static_cast<time_t>(wait / 1e3), static_cast<long>(std::fmod(wait, 1e3) * 1e6)};
    int rc = ppoll(&pfd, 1, &timeout, nullptr);
    if (rc <= 0) continue;  // timeout or EINTR: loop checks g_stop and the clock
    for (;;) {
      std::uint8_t buf[1500];
      sockaddr_in from{};
      socklen_t fromlen = sizeof from;
      ssize_t n = recvfrom(sock.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from),
                           &fromlen);
      if (n < 0) break;
      const double r = now_ms();
      std::size_t off = 0;
      if (raw) {
        if (n < static_cast<ssize_t>(sizeof(iphdr))) continue;
        off = static_cast<std::size_t>(reinterpret_cast<iphdr*>(buf)->ihl) * 4;
      }
      if (n < static_cast<ssize_t>(off + sizeof(icmphdr))) continue;
      const auto* icmp = reinterpret_cast<const icmphdr*>(buf + off);
      if (icmp->type != ICMP_ECHOREPLY) continue;
      if (from.sin_addr.s_addr != dst.sin_addr.s_addr) continue;
      if (raw && ntohs(icmp->un.echo.id) != ident) continue;
      const std::uint16_t rseq = ntohs(icmp->un.echo.sequence);
      if (seen[rseq]) {
        ++duplicates;  // two hosts answered the same echo: the VIP is on both
        if (verbose) std::fprintf(stderr, "vip_probe: %.1f ms: duplicate reply seq %u\n", r - start, rseq);
        continue;
      }
      seen[rseq] = 1;
      ++received;
      if (first_reply < 0) first_reply = r;
      if (last_reply >= 0 && r - last_reply > max_gap) {
        max_gap = r - last_reply;
        gap_start = last_reply;
      }
      if (verbose && last_reply >= 0 && r - last_reply > 50)
        std::fprintf(stderr, "vip_probe: gap of %.1f ms ending at %.1f ms\n", r - last_reply, r - start);
      last_reply = r;
    }
  }

  const double stop = now_ms();
  std::printf(
      "max_gap_ms=%.1f gap_start_ms=%.1f sent=%llu received=%llu duplicates=%llu "
      "first_reply_ms=%.1f tail_gap_ms=%.1f elapsed_ms=%.1f\n",
      max_gap, gap_start >= 0 ? gap_start - start : -1.0, static_cast<unsigned long long>(sent),
      static_cast<unsigned long long>(received), static_cast<unsigned long long>(duplicates),
      first_reply >= 0 ? first_reply - start : -1.0, last_reply >= 0 ? stop - last_reply : stop - start,
      stop - start);
  std::fflush(stdout);
  return 0;
}
