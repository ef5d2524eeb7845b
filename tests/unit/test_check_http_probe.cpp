// The built-in HTTP probe against a tiny HTTP server on the same libev loop: the status
// decides, refused and silent servers fail with readable reasons, cancelling mid-request
// is quiet, runs chain from `done`, and bad URLs are refused at start-up.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check_helpers/loop_wait.hpp"
#include "checks/check_scheduler.hpp"
#include "checks/http_probe.hpp"

using namespace floatd::checks;
using namespace std::chrono_literals;

namespace {

// A loopback port with nothing listening: bound for its number, then closed.
std::uint16_t closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Answers every request with `response`, or never when it is empty; one connection at a
// time is all the probe makes. Non-blocking, on the test's loop.
class Server {
 public:
  std::string response;
  std::string last_request;
  int requests = 0;      // complete request heads received
  int hangups = 0;       // clients that closed before being answered
  std::uint16_t port = 0;

  Server(struct ev_loop* loop, std::string canned) : response(std::move(canned)), loop_(loop) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    REQUIRE(listen(listen_fd_, 8) == 0);
    ev_io_init(&accept_io_, on_accept, listen_fd_, EV_READ);
    accept_io_.data = this;
    ev_io_start(loop_, &accept_io_);
  }
  ~Server() {
    drop();
    ev_io_stop(loop_, &accept_io_);
    close(listen_fd_);
  }
  std::string url(const std::string& path = "/health") const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }

 private:
  static void on_accept(struct ev_loop* loop, ev_io* w, int) {
    auto* self = static_cast<Server*>(w->data);
    const int fd = accept4(self->listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    self->drop();
    self->conn_fd_ = fd;
    self->in_.clear();
    self->sent_ = 0;
    ev_io_init(&self->conn_io_, on_conn, fd, EV_READ);
    self->conn_io_.data = self;
    ev_io_start(loop, &self->conn_io_);
  }
  static void on_conn(struct ev_loop* loop, ev_io* w, int revents) {
    auto* self = static_cast<Server*>(w->data);
    if (revents & EV_READ) {
      char buf[1024];
      const ssize_t n = read(self->conn_fd_, buf, sizeof buf);
      if (n == 0) {
        ++self->hangups;
        self->drop();
        return;
      }
      if (n > 0) self->in_.append(buf, static_cast<std::size_t>(n));
      if (self->in_.find("\r\n\r\n") == std::string::npos) return;
      ++self->requests;
      self->last_request = self->in_;
      self->in_.clear();
      if (self->response.empty()) return;  // keep reading, to see the client hang up
      ev_io_stop(loop, w);
      ev_io_set(w, self->conn_fd_, EV_WRITE);
      ev_io_start(loop, w);
      return;
    }
    const ssize_t n = write(self->conn_fd_, self->response.data() + self->sent_,
                            self->response.size() - self->sent_);
    if (n > 0) self->sent_ += static_cast<std::size_t>(n);
    if (n < 0 || self->sent_ == self->response.size()) self->drop();
  }
  void drop() {
    if (conn_fd_ < 0) return;
    ev_io_stop(loop_, &conn_io_);
    close(conn_fd_);
    conn_fd_ = -1;
  }

  struct ev_loop* loop_;
  int listen_fd_ = -1;
  int conn_fd_ = -1;
  std::string in_;
  std::size_t sent_ = 0;
  ev_io accept_io_{};
  ev_io conn_io_{};
};

std::string canned(int status, const std::string& reason, const std::string& body = "") {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

struct Loop {
  struct ev_loop* loop = ev_loop_new(EVFLAG_AUTO);
  ~Loop() { ev_loop_destroy(loop); }
};

// One run of a probe for `url`; the result must arrive through `done` within the bound.
ProbeResult run_once(struct ev_loop* loop, const std::string& url, int expect = 200,
                     floatd::Duration timeout = 2s) {
  HttpProbe probe(loop, HttpProbeSpec{url, expect, timeout});
  std::optional<ProbeResult> result;
  REQUIRE_FALSE(probe.start([&](const ProbeResult& r) { result = r; }));
  CHECK(probe.running());
  REQUIRE(testing::run_until(loop, [&] { return result.has_value(); }));
  CHECK_FALSE(probe.running());
  return *result;
}

}  // namespace

TEST_CASE("http probe: 200 passes; the request is a plain GET from floatd-check") {
  Loop l;
  Server server(l.loop, canned(200, "OK", "all good\nsecond line\n"));
  const ProbeResult r = run_once(l.loop, server.url());
  CHECK(r.passed);
  CHECK_FALSE(r.timed_out);
  CHECK(r.error == "");
  CHECK(r.output == "all good");
  CHECK(server.last_request.starts_with("GET /health HTTP/1.1\r\n"));
  CHECK(server.last_request.find("User-Agent: floatd-check\r\n") != std::string::npos);
}

TEST_CASE("http probe: 503 fails with the status and the body's first line") {
  Loop l;
  Server server(l.loop, canned(503, "Service Unavailable", "database down"));
  const ProbeResult r = run_once(l.loop, server.url());
  CHECK_FALSE(r.passed);
  CHECK_FALSE(r.timed_out);
  CHECK(r.error == "status 503, expected 200");
  CHECK(describe(r) == "status 503, expected 200: database down");
}

TEST_CASE("http probe: expect_status is the one status that passes; redirects are answers") {
  Loop l;
  Server server(l.loop, canned(204, "No Content"));
  CHECK(run_once(l.loop, server.url(), 204).passed);
  server.response = canned(200, "OK");
  const ProbeResult r = run_once(l.loop, server.url(), 204);
  CHECK_FALSE(r.passed);
  CHECK(r.error == "status 200, expected 204");
  server.response = "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n";
  CHECK(run_once(l.loop, server.url()).error == "status 302, expected 200");
  CHECK(server.requests == 3);  // the redirect was not followed
}

TEST_CASE("http probe: proxy environment variables are ignored") {
  Loop l;
  Server server(l.loop, canned(200, "OK"));
  const std::string dead_proxy = "http://127.0.0.1:" + std::to_string(closed_port());
  setenv("http_proxy", dead_proxy.c_str(), 1);
  setenv("HTTPS_PROXY", dead_proxy.c_str(), 1);
  setenv("ALL_PROXY", dead_proxy.c_str(), 1);
  const ProbeResult r = run_once(l.loop, server.url());
  unsetenv("http_proxy");
  unsetenv("HTTPS_PROXY");
  unsetenv("ALL_PROXY");
  CHECK(r.passed);
  CHECK(server.requests == 1);
}

TEST_CASE("http probe: a refused connection fails with curl's reason") {
  Loop l;
  const std::uint16_t port = closed_port();
  const ProbeResult r = run_once(l.loop, "http://127.0.0.1:" + std::to_string(port) + "/");
  CHECK_FALSE(r.passed);
  CHECK_FALSE(r.timed_out);
  INFO(r.error);
  CHECK(r.error.find("127.0.0.1 port " + std::to_string(port)) != std::string::npos);
  CHECK(r.error.ends_with("(Connection refused)"));
  CHECK(r.duration < 1s);
}

TEST_CASE("http probe: a server that never answers times out at the timeout") {
  Loop l;
  Server server(l.loop, "");
  HttpProbe probe(l.loop, HttpProbeSpec{server.url(), 200, 200ms});
  std::optional<ProbeResult> result;
  REQUIRE_FALSE(probe.start([&](const ProbeResult& r) { result = r; }));
  REQUIRE(testing::run_until(l.loop, [&] { return server.requests == 1; }));
  REQUIRE(testing::run_until(l.loop, [&] { return result.has_value(); }));
  CHECK_FALSE(result->passed);
  CHECK(result->timed_out);
  CHECK(result->error == "timed out after 200ms");
  CHECK(result->duration >= 190ms);  // curl's clock and ours differ by a tick at most
  CHECK(result->duration < 1500ms);
  REQUIRE(testing::run_until(l.loop, [&] { return server.hangups == 1; }));
}

TEST_CASE("http probe: destroying the probe mid-request cancels it quietly") {
  Loop l;
  Server server(l.loop, "");
  const int descriptors = testing::open_descriptors();
  auto probe = std::make_unique<HttpProbe>(l.loop, HttpProbeSpec{server.url(), 200, 100ms});
  int calls = 0;
  REQUIRE_FALSE(probe->start([&](const ProbeResult&) { ++calls; }));
  REQUIRE(testing::run_until(l.loop, [&] { return server.requests == 1; }));
  probe.reset();
  // The connection is closed at once, and nothing fires after the probe's timeout either.
  REQUIRE(testing::run_until(l.loop, [&] { return server.hangups == 1; }));
  CHECK_FALSE(testing::run_until(l.loop, [] { return false; }, 300ms));
  CHECK(calls == 0);
  CHECK(testing::open_descriptors() == descriptors);
}

TEST_CASE("http probe: the next run may start from inside done, and done may destroy it") {
  Loop l;
  Server server(l.loop, canned(200, "OK"));
  auto probe = std::make_unique<HttpProbe>(l.loop, HttpProbeSpec{server.url(), 200, 2s});
  std::vector<bool> results;
  std::function<void(const ProbeResult&)> done = [&](const ProbeResult& r) {
    results.push_back(r.passed);
    if (results.size() < 3) {
      CHECK_FALSE(probe->running());
      CHECK_FALSE(probe->start(done));
    } else {
      probe.reset();
    }
  };
  REQUIRE_FALSE(probe->start(done));
  REQUIRE(testing::run_until(l.loop, [&] { return results.size() == 3; }));
  CHECK(results == std::vector<bool>{true, true, true});
  CHECK(server.requests == 3);
  CHECK_FALSE(probe);
}

TEST_CASE("http probe: a second start while in flight is refused at once") {
  Loop l;
  Server server(l.loop, "");
  HttpProbe probe(l.loop, HttpProbeSpec{server.url(), 200, 1s});
  REQUIRE_FALSE(probe.start([](const ProbeResult&) {}));
  const auto busy = probe.start([](const ProbeResult&) { FAIL("called"); });
  REQUIRE(busy);
  CHECK(busy->error == "the previous run is still in flight");
}

TEST_CASE("http probe: make_probe builds it from http, and refuses bad URLs at start-up") {
  Loop l;
  Server server(l.loop, canned(204, "No Content"));
  const CheckSpec spec{.name = "api", .timeout = 1s, .http = server.url(), .expect_status = 204};
  auto probe = make_probe(l.loop, spec, std::nullopt);
  REQUIRE(dynamic_cast<HttpProbe*>(probe.get()));
  std::optional<ProbeResult> result;
  REQUIRE_FALSE(probe->start([&](const ProbeResult& r) { result = r; }));
  REQUIRE(testing::run_until(l.loop, [&] { return result.has_value(); }));
  CHECK(result->passed);

  auto refused = [&](CheckSpec bad) {
    bad.name = "api";
    CHECK_THROWS_AS(make_probe(l.loop, bad, std::nullopt), std::invalid_argument);
  };
  refused(CheckSpec{.http = "not a url"});
  refused(CheckSpec{.http = "127.0.0.1/health"});  // no scheme
  refused(CheckSpec{.http = "http://"});
  refused(CheckSpec{.http = "ftp://127.0.0.1/health"});
  refused(CheckSpec{.http = "file:///etc/passwd"});
  refused(CheckSpec{.tcp = "127.0.0.1:80", .http = "http://127.0.0.1/"});
  refused(CheckSpec{.argv = {"/bin/true"}, .http = "http://127.0.0.1/"});
  CHECK_THROWS_WITH_AS(make_probe(l.loop, CheckSpec{.name = "api", .http = "ftp://h/"},
                                  std::nullopt),
                       "check 'api': http wants an http:// or https:// URL, got 'ftp://h/'",
                       std::invalid_argument);
  CHECK(make_probe(l.loop, CheckSpec{.name = "tls", .http = "https://127.0.0.1/"},
                   std::nullopt));
}
