#include "checks/tcp_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <system_error>

namespace floatd::checks {

TcpProbe::TcpProbe(struct ev_loop* loop, TcpTarget target, Duration timeout)
    : loop_(loop), target_(std::move(target)), timeout_(timeout) {
  ev_init(&io_, on_writable);
  ev_init(&timer_, on_timeout);
  io_.data = timer_.data = this;
}

TcpProbe::~TcpProbe() {
  ev_io_stop(loop_, &io_);
  ev_timer_stop(loop_, &timer_);
}

std::optional<ProbeResult> TcpProbe::start(Done done) {
  if (running()) {
    ProbeResult busy;
    busy.error = "the previous run is still in flight";
    return busy;
  }
  started_ = std::chrono::steady_clock::now();
  socket_ = UniqueFd(::socket(target_.address.ss_family,
                              SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!socket_) return finish(errno, false);
  if (::connect(socket_.get(), reinterpret_cast<const sockaddr*>(&target_.address),
                target_.length) == 0) {
    return finish(0, false);
  }
  if (errno != EINPROGRESS) return finish(errno, false);

  done_ = std::move(done);
  ev_io_set(&io_, socket_.get(), EV_WRITE);
  ev_io_start(loop_, &io_);
  ev_now_update(loop_);
  ev_timer_set(&timer_, std::chrono::duration<double>(timeout_).count(), 0.);
  ev_timer_start(loop_, &timer_);
  return std::nullopt;
}

ProbeResult TcpProbe::finish(int error, bool timed_out) {
  ev_io_stop(loop_, &io_);
  ev_timer_stop(loop_, &timer_);
  socket_.reset();
  ProbeResult result;
  result.passed = error == 0 && !timed_out;
  result.timed_out = timed_out;
  result.duration = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() -
                                                         started_);
  if (timed_out) {
    result.error = "connect " + target_.text + ": timed out after " + format_duration(timeout_);
  } else if (error != 0) {
    result.error = "connect " + target_.text + ": " + std::generic_category().message(error);
  }
  return result;
}

void TcpProbe::on_writable(struct ev_loop*, ev_io* watcher, int) {
  auto* self = static_cast<TcpProbe*>(watcher->data);
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(self->socket_.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
    error = errno;
  }
  const ProbeResult result = self->finish(error, false);
  Done done = std::move(self->done_);
  self->done_ = nullptr;
  done(result);  // last: it may destroy this probe or start the next run
}

void TcpProbe::on_timeout(struct ev_loop*, ev_timer* watcher, int) {
  auto* self = static_cast<TcpProbe*>(watcher->data);
  const ProbeResult result = self->finish(0, true);
  Done done = std::move(self->done_);
  self->done_ = nullptr;
  done(result);
}

}  // namespace floatd::checks
