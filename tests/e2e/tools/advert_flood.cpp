// advert_flood: send a bounded flood of hostile VRRP adverts (tests/e2e/flood.sh).
//
//   advert_flood --iface eth0 --src 192.0.2.250 --vrid 51 --vip 192.0.2.100
//                [--rate 10000 (per second, max 50000)] [--duration 10 (s, max 60)]
//                [--kinds KIND,...] [--unknown-vrid N (vrid+1)] [--dst 224.0.0.18]
//
// Prebuilt raw IPv4 datagrams (IP protocol 112, IP header written by us with IP_HDRINCL, so
// we choose the TTL) go to 224.0.0.18 out of --iface, one kind after the other in a round
// robin, paced against absolute deadlines (clock_nanosleep) in sendmmsg batches. Bounded:
// at most rate * duration datagrams, stops after duration (+ at most one batch) or at
// SIGTERM/SIGINT. Prints one summary line of key=value pairs on stdout and exits 0:
//
//   sent=100000 errors=0 elapsed_ms=10000.1 rate_per_s=9999.9 batch=50 sent_ttl=12500 ...
//
// Kinds (everything else is a correct VRRPv3 advert, checksum over the pseudo-header), and
// what floatd's decoder must make of them:
//   ttl            IP TTL 254                                    drop: bad_ttl
//   checksum       VRRP checksum off by one                      drop: bad_checksum
//   truncated      cut in the middle of the address list         drop: bad_length
//   short          4 bytes of VRRP (less than the fixed header)  drop: too_short
//   version        a VRRPv2 advert (auth fields, v2 checksum)    drop: bad_version
//   type           type 2 instead of 1 (ADVERTISEMENT)           drop: bad_type
//   count          address count 3, one address present          drop: bad_length
//   zero_interval  max advert interval 0                         drop: zero_interval
//   unknown_vrid   a correct advert for --unknown-vrid           drop: unknown_vrid
//   low_priority   a correct advert for --vrid at priority 1     not a drop: a master
//                  answers it with an advert (RFC 9568), a backup discards it
// Never a correct advert above priority 1: VRRP without authentication cannot refuse one.
//
// Safety: the destination must be 224.0.0.18, the source in 192.0.2.0/24, and the tool runs
// only inside a network namespace of the e2e harness (`ip netns`, named fde-*).
// Needs CAP_NET_RAW.
#include <arpa/inet.h>
#include <dirent.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
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

volatile std::sig_atomic_t g_stop = 0;  // set by the signal handler only

void on_signal(int) { g_stop = 1; }

constexpr std::uint8_t kVrrpProtocol = 112;
constexpr char kVrrpGroup[] = "224.0.0.18";
constexpr int kMaxBatch = 256;

std::uint16_t inet_checksum(const std::vector<std::uint8_t>& data) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < data.size(); i += 2) sum += (data[i] << 8) | data[i + 1];
  if (data.size() & 1) sum += data.back() << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

void put_u16(std::vector<std::uint8_t>& v, std::size_t at, std::uint16_t value) {
  v[at] = static_cast<std::uint8_t>(value >> 8);
  v[at + 1] = static_cast<std::uint8_t>(value & 0xff);
}

void append_u32(std::vector<std::uint8_t>& v, in_addr_t network_order) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&network_order);
  v.insert(v.end(), p, p + 4);
}

// The VRRPv3 checksum over the IPv4 pseudo-header (src, dst, 0, 112, length) + the message.
void set_v3_checksum(std::vector<std::uint8_t>& vrrp, in_addr_t src, in_addr_t dst) {
  put_u16(vrrp, 6, 0);
  std::vector<std::uint8_t> sum;
  append_u32(sum, src);
  append_u32(sum, dst);
  sum.push_back(0);
  sum.push_back(kVrrpProtocol);
  sum.push_back(static_cast<std::uint8_t>(vrrp.size() >> 8));
  sum.push_back(static_cast<std::uint8_t>(vrrp.size() & 0xff));
  sum.insert(sum.end(), vrrp.begin(), vrrp.end());
  put_u16(vrrp, 6, inet_checksum(sum));
}

struct Params {
  in_addr_t src = 0, dst = 0, vip = 0;
  std::uint8_t vrid = 51, unknown_vrid = 52;
  std::uint16_t interval_cs = 10;
};

std::vector<std::uint8_t> v3_advert(const Params& p, std::uint8_t vrid, std::uint8_t priority,
                                    std::uint8_t count, std::uint16_t interval_cs) {
  std::vector<std::uint8_t> v{0x31, vrid, priority, count, 0, 0, 0, 0};
  put_u16(v, 4, interval_cs & 0x0fff);
  append_u32(v, p.vip);
  set_v3_checksum(v, p.src, p.dst);
  return v;
}

// The VRRP message of one kind, and the IP TTL it travels with; false for an unknown kind.
bool build_vrrp(std::string_view kind, const Params& p, std::vector<std::uint8_t>& vrrp,
                std::uint8_t& ttl) {
  constexpr std::uint8_t kHostilePriority = 1;  // below any master: never a takeover
  ttl = 255;
  const auto good = [&](std::uint8_t vrid) {
    return v3_advert(p, vrid, kHostilePriority, 1, p.interval_cs);
  };
  if (kind == "ttl") {
    vrrp = good(p.vrid);
    ttl = 254;
  } else if (kind == "checksum") {
    vrrp = good(p.vrid);
    put_u16(vrrp, 6, static_cast<std::uint16_t>(((vrrp[6] << 8) | vrrp[7]) + 1));
  } else if (kind == "truncated") {
    vrrp = good(p.vrid);
    vrrp.resize(10);  // header + half an address
    set_v3_checksum(vrrp, p.src, p.dst);
  } else if (kind == "short") {
    vrrp = good(p.vrid);
    vrrp.resize(4);
  } else if (kind == "version") {
    // VRRPv2: version 2, auth type 0, advert interval in seconds, 8 bytes of auth data, and
    // a checksum over the message only.
    vrrp = {0x21, p.vrid, kHostilePriority, 1, 0, 1, 0, 0};
    append_u32(vrrp, p.vip);
    vrrp.insert(vrrp.end(), 8, 0);
    put_u16(vrrp, 6, inet_checksum(vrrp));
  } else if (kind == "type") {
    vrrp = good(p.vrid);
    vrrp[0] = 0x32;
    set_v3_checksum(vrrp, p.src, p.dst);
  } else if (kind == "count") {
    vrrp = v3_advert(p, p.vrid, kHostilePriority, 3, p.interval_cs);
  } else if (kind == "zero_interval") {
    vrrp = v3_advert(p, p.vrid, kHostilePriority, 1, 0);
  } else if (kind == "unknown_vrid") {
    vrrp = good(p.unknown_vrid);
  } else if (kind == "low_priority") {
    vrrp = good(p.vrid);
  } else {
    return false;
  }
  return true;
}

// IP header (20 bytes, no options) + VRRP. The kernel fills in the IP checksum, the total
// length and (id 0) the identification of an IP_HDRINCL datagram.
std::vector<std::uint8_t> ipv4_datagram(const Params& p, std::uint8_t ttl,
                                        const std::vector<std::uint8_t>& vrrp) {
  std::vector<std::uint8_t> d{0x45, 0xc0, 0, 0, 0, 0, 0, 0, ttl, kVrrpProtocol, 0, 0};
  put_u16(d, 2, static_cast<std::uint16_t>(20 + vrrp.size()));
  append_u32(d, p.src);
  append_u32(d, p.dst);
  d.insert(d.end(), vrrp.begin(), vrrp.end());
  return d;
}

double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

timespec to_timespec(double s) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(s);
  ts.tv_nsec = static_cast<long>((s - static_cast<double>(ts.tv_sec)) * 1e9);
  return ts;
}

// Refuse to flood anything but a test: run only inside a network namespace that `ip netns`
// made for the e2e harness (/run/netns/fde-*, the same nsfs inode as our own). (Comparing with
// PID 1's namespace is not possible everywhere: /proc/1/ns may be unreadable.)
bool in_harness_netns() {
  struct stat self {};
  if (stat("/proc/self/ns/net", &self) != 0) return false;
  DIR* dir = opendir("/run/netns");
  if (dir == nullptr) return false;
  bool found = false;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    struct stat ns {};
    if (name.rfind("fde-", 0) == 0 && stat(("/run/netns/" + name).c_str(), &ns) == 0 &&
        ns.st_dev == self.st_dev && ns.st_ino == self.st_ino) {
      found = true;
      break;
    }
  }
  closedir(dir);
  return found;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto comma = s.find(',', start);
    const auto end = comma == std::string::npos ? s.size() : comma;
    if (end > start) out.push_back(s.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

void usage() {
  std::fprintf(stderr,
               "usage: advert_flood --iface IF --src 192.0.2.X --vrid N --vip IPV4\n"
               "                    [--rate PER_S (10000, max 50000)] [--duration S (10, max 60)]\n"
               "                    [--kinds K,... (all)] [--unknown-vrid N (vrid+1)]\n"
               "                    [--interval-cs N (10)] [--dst 224.0.0.18]\n"
               "kinds: ttl checksum truncated short version type count zero_interval\n"
               "       unknown_vrid low_priority\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::string iface, src, vip, dst = kVrrpGroup;
  std::string kinds_arg =
      "ttl,checksum,truncated,short,version,type,count,zero_interval,unknown_vrid,low_priority";
  double rate = 10000, duration = 10;
  int vrid = -1, unknown_vrid = -1, interval_cs = 10;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--iface") iface = value();
    else if (a == "--src") src = value();
    else if (a == "--dst") dst = value();
    else if (a == "--vip") vip = value();
    else if (a == "--vrid") vrid = std::atoi(value());
    else if (a == "--unknown-vrid") unknown_vrid = std::atoi(value());
    else if (a == "--interval-cs") interval_cs = std::atoi(value());
    else if (a == "--rate") rate = std::atof(value());
    else if (a == "--duration") duration = std::atof(value());
    else if (a == "--kinds") kinds_arg = value();
    else {
      usage();
      return 2;
    }
  }
  if (unknown_vrid < 0) unknown_vrid = vrid == 255 ? 254 : vrid + 1;
  if (iface.empty() || src.empty() || vip.empty() || vrid < 1 || vrid > 255 || unknown_vrid < 1 ||
      unknown_vrid > 255 || unknown_vrid == vrid || interval_cs < 1 || interval_cs > 4095 ||
      !(rate > 0 && rate <= 50000) || !(duration > 0 && duration <= 60)) {
    usage();
    return 2;
  }
  Params p;
  p.vrid = static_cast<std::uint8_t>(vrid);
  p.unknown_vrid = static_cast<std::uint8_t>(unknown_vrid);
  p.interval_cs = static_cast<std::uint16_t>(interval_cs);
  in_addr a{};
  if (inet_pton(AF_INET, dst.c_str(), &a) != 1 || dst != kVrrpGroup) {
    std::fprintf(stderr, "advert_flood: refusing destination %s (only %s)\n", dst.c_str(), kVrrpGroup);
    return 2;
  }
  p.dst = a.s_addr;
  if (inet_pton(AF_INET, src.c_str(), &a) != 1 || (ntohl(a.s_addr) & 0xffffff00u) != 0xc0000200u) {
    std::fprintf(stderr, "advert_flood: refusing source %s (only 192.0.2.0/24)\n", src.c_str());
    return 2;
  }
  p.src = a.s_addr;
  if (inet_pton(AF_INET, vip.c_str(), &a) != 1) {
    std::fprintf(stderr, "advert_flood: bad --vip %s\n", vip.c_str());
    return 2;
  }
  p.vip = a.s_addr;
  if (!in_harness_netns()) {
    std::fprintf(stderr, "advert_flood: refusing to run outside an e2e namespace (/run/netns/fde-*)\n");
    return 2;
  }

  struct Kind {
    std::string name;
    std::vector<std::uint8_t> datagram;
    unsigned long long sent = 0;
  };
  std::vector<Kind> kinds;
  for (const auto& name : split(kinds_arg)) {
    std::vector<std::uint8_t> vrrp;
    std::uint8_t ttl = 255;
    if (!build_vrrp(name, p, vrrp, ttl)) {
      std::fprintf(stderr, "advert_flood: unknown kind %s\n", name.c_str());
      usage();
      return 2;
    }
    kinds.push_back({name, ipv4_datagram(p, ttl, vrrp)});
  }
  if (kinds.empty()) {
    usage();
    return 2;
  }

  // IPPROTO_RAW: send-only (it receives nothing, so the replies do not pile up in a receive
  // buffer) and implies IP_HDRINCL; the datagrams themselves say protocol 112.
  const int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  if (fd < 0) {
    std::fprintf(stderr, "advert_flood: socket: %s\n", std::strerror(errno));
    return 1;
  }
  const int on = 1, off = 0, sndbuf = 1 << 20;
  ip_mreqn mreq{};
  mreq.imr_ifindex = static_cast<int>(if_nametoindex(iface.c_str()));
  if (mreq.imr_ifindex == 0) {
    std::fprintf(stderr, "advert_flood: no interface %s\n", iface.c_str());
    close(fd);
    return 1;
  }
  if (setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &on, sizeof on) < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, iface.c_str(), iface.size() + 1) < 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq) < 0 ||
      setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off) < 0) {
    std::fprintf(stderr, "advert_flood: setsockopt: %s\n", std::strerror(errno));
    close(fd);
    return 1;
  }
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);  // best effort

  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  // One batch per ~5 ms: 50 datagrams at 10,000/s.
  const int batch = std::clamp(static_cast<int>(rate / 200), 1, kMaxBatch);
  const auto total = static_cast<unsigned long long>(rate * duration);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = p.dst;
  std::array<iovec, kMaxBatch> iov{};
  std::array<mmsghdr, kMaxBatch> msgs{};
  std::array<std::size_t, kMaxBatch> kind_of{};

  unsigned long long attempted = 0, sent = 0, errors = 0;
  int last_errno = 0;
  std::size_t next_kind = 0;
  const double start = now_s();
  const double end = start + duration;
  while (!g_stop && attempted < total) {
    const double t = now_s();
    if (t >= end + static_cast<double>(batch) / rate) break;  // far behind: stop on time
    // Due by now: everything up to t; sent in batches of at most `batch` (catching up after a
    // descheduling goes at full speed, one batch per iteration, so the average holds).
    const auto due = std::min<unsigned long long>(total, static_cast<unsigned long long>((t - start) * rate) + 1);
    if (due <= attempted) {
      const double next = start + static_cast<double>(attempted) / rate;
      const timespec ts = to_timespec(next);
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
      continue;
    }
    const int n = static_cast<int>(std::min<unsigned long long>(due - attempted, batch));
    for (int i = 0; i < n; ++i) {
      auto& k = kinds[next_kind];
      kind_of[i] = next_kind;
      next_kind = (next_kind + 1) % kinds.size();
      iov[i] = {k.datagram.data(), k.datagram.size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_name = &to;
      msgs[i].msg_hdr.msg_namelen = sizeof to;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int done = 0;
    while (done < n) {
      const int r = sendmmsg(fd, msgs.data() + done, static_cast<unsigned>(n - done), 0);
      if (r < 0) {
        if (errno == EINTR && !g_stop) continue;
        last_errno = errno;
        ++errors;  // the first datagram of the rest failed: skip it, try the others
        ++done;
        continue;
      }
      for (int i = done; i < done + r; ++i) ++kinds[kind_of[i]].sent;
      sent += static_cast<unsigned long long>(r);
      done += r;
    }
    attempted += static_cast<unsigned long long>(n);
  }
  const double elapsed = now_s() - start;
  close(fd);

  std::printf("sent=%llu errors=%llu elapsed_ms=%.1f rate_per_s=%.1f batch=%d", sent, errors,
              elapsed * 1e3, elapsed > 0 ? static_cast<double>(sent) / elapsed : 0.0, batch);
  for (const auto& k : kinds) std::printf(" sent_%s=%llu", k.name.c_str(), k.sent);
  if (errors) std::printf(" last_error=%s", std::strerror(last_errno));
  std::printf("\n");
  std::fflush(stdout);
  return 0;
}
