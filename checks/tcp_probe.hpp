// The built-in `tcp = "127.0.0.1:80"` probe: passes when a TCP connection is accepted
// within the timeout. A non-blocking connect watched by ev_io, so it works on any loop.
#pragma once
#include <sys/socket.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <ev.h>

#include "checks/probe.hpp"
#include "agent/unique_fd.hpp"

namespace floatd::checks {

struct TcpTarget {
  sockaddr_storage address{};
  socklen_t length = 0;
  std::string text;  // as configured, for reasons
};

// "192.0.2.1:80" or "[2001:db8::1]:80"; numeric only (a DNS lookup would block the loop).
std::optional<TcpTarget> parse_tcp_target(std::string_view text);

class TcpProbe final : public Probe {
 public:
  TcpProbe(struct ev_loop* loop, TcpTarget target, Duration timeout);
  ~TcpProbe() override;
  TcpProbe(const TcpProbe&) = delete;
  TcpProbe& operator=(const TcpProbe&) = delete;

  std::optional<ProbeResult> start(Done done) override;
  bool running() const override { return static_cast<bool>(socket_); }

 private:
  static void on_writable(struct ev_loop* loop, ev_io* watcher, int revents);
  static void on_timeout(struct ev_loop* loop, ev_timer* watcher, int revents);
  ProbeResult finish(int error, bool timed_out);

  struct ev_loop* loop_;
  TcpTarget target_;
  Duration timeout_;
  UniqueFd socket_;
  std::chrono::steady_clock::time_point started_;
  Done done_;
  ev_io io_{};
  ev_timer timer_{};
};

}  // namespace floatd::checks
