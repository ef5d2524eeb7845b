// The built-in TCP connect probe: address parsing, a listening port passes, a closed port
// fails with the errno text, a connection that never completes times out.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "check_helpers/loop_wait.hpp"
#include "checks/tcp_probe.hpp"

using namespace floatd::checks;
using namespace std::chrono_literals;

namespace {

// A loopback listener on an ephemeral port; closed on destruction.
struct Listener {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  std::uint16_t port = 0;
  explicit Listener(int backlog) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    if (backlog >= 0) REQUIRE(listen(fd, backlog) == 0);
  }
  ~Listener() { close(fd); }
  std::string target() const { return "127.0.0.1:" + std::to_string(port); }
};

ProbeResult probe(const std::string& target, floatd::Duration timeout) {
  struct ev_loop* loop = ev_loop_new(EVFLAG_AUTO);
  auto parsed = parse_tcp_target(target);
  REQUIRE(parsed);
  std::optional<ProbeResult> result;
  {
    TcpProbe p(loop, *parsed, timeout);
    result = p.start([&](const ProbeResult& r) { result = r; });
    REQUIRE(testing::run_until(loop, [&] { return result.has_value(); }));
  }
  ev_loop_destroy(loop);
  return *result;
}

}  // namespace

TEST_CASE("tcp probe: targets are numeric ADDRESS:PORT, IPv6 in brackets") {
  CHECK(parse_tcp_target("127.0.0.1:80"));
  CHECK(parse_tcp_target("[::1]:8080"));
  CHECK(parse_tcp_target("[2001:db8::1]:65535"));
  CHECK_FALSE(parse_tcp_target("127.0.0.1"));
  CHECK_FALSE(parse_tcp_target("127.0.0.1:0"));
  CHECK_FALSE(parse_tcp_target("127.0.0.1:65536"));
  CHECK_FALSE(parse_tcp_target("127.0.0.1:8o"));
  CHECK_FALSE(parse_tcp_target("::1:80"));
  CHECK_FALSE(parse_tcp_target("localhost:80"));
}

TEST_CASE("tcp probe: a listening port passes") {
  Listener listener(8);
  const ProbeResult r = probe(listener.target(), 1s);
  CHECK(r.passed);
  CHECK(r.error == "");
}

TEST_CASE("tcp probe: a closed port fails with the reason") {
  std::string target;
  {
    Listener bound_only(-1);  // bound, never listening: the kernel answers RST
    target = bound_only.target();
    const ProbeResult r = probe(target, 1s);
    CHECK_FALSE(r.passed);
    CHECK_FALSE(r.timed_out);
    CHECK(r.error == "connect " + target + ": Connection refused");
  }
}

TEST_CASE("tcp probe: a handshake that never completes times out") {
  // A full accept queue (backlog 0 and one connection waiting, never accepted) makes the
  // kernel drop further SYNs, so the probe's connect stays in progress.
  Listener listener(0);
  const int filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(listener.port);
  connect(filler, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  pollfd connected{filler, POLLOUT, 0};
  REQUIRE(poll(&connected, 1, 2000) == 1);  // the filler is in the queue now
  const ProbeResult r = probe(listener.target(), 200ms);
  CHECK_FALSE(r.passed);
  CHECK(r.timed_out);
  CHECK(r.error == "connect " + listener.target() + ": timed out after 200ms");
  CHECK(r.duration >= 200ms);
  close(filler);
}
