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
#include "checks/tcp_target.hpp"
#include "agent/unique_fd.hpp"

namespace floatd::checks {

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
