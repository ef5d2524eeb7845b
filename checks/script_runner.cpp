#include "checks/script_runner.hpp"


#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

#include "checks/script_security.hpp"
#include "checks/spawn.hpp"

namespace floatd::checks {

namespace {

// Bounds the work per readable event, so a script writing without end cannot monopolise
// the loop: the watcher is level-triggered and comes back on the next iteration.
constexpr int kReadsPerEvent = 4;

ProbeResult not_started(std::string why) {
  ProbeResult result;
  result.error = std::move(why);
  return result;
}

}  // namespace

ScriptRunner::ScriptRunner(struct ev_loop* loop, ScriptSpec spec)
    : loop_(loop),
      spec_(std::move(spec)),
      runs_as_(spec_.user ? *spec_.user : current_identity()) {
  if (!ev_is_default_loop(loop)) {
    throw std::invalid_argument("script checks need libev's default loop (ev_child)");
  }
  if (spec_.argv.empty()) throw std::invalid_argument("a check command needs argv[0]");
  ev_init(&io_, on_output);
  ev_init(&child_, on_exit);
  ev_init(&timer_, on_timeout);
  io_.data = child_.data = timer_.data = this;
}

ScriptRunner::~ScriptRunner() {
  if (running()) kill_group();
  stop_watchers();
}

// The script runs as another user, so as root killing its group needs CAP_KILL, unless
// we take that user's identity for the call (kill(2) lets a sender whose effective uid is
// the target's uid through): the systemd unit then does without CAP_KILL. The real uid
// stays 0, so switching back cannot fail and the capabilities come back with it.
void ScriptRunner::kill_group() const {
  const bool switch_uid = spec_.user && spec_.user->uid != 0 && ::geteuid() == 0 &&
                          ::setresuid(-1, spec_.user->uid, -1) == 0;
  ::kill(-pid_, SIGKILL);
  if (switch_uid && ::setresuid(-1, 0, -1) != 0) std::abort();
}

std::optional<ProbeResult> ScriptRunner::start(Done done) {
  if (running()) return not_started("the previous run is still in flight");
  ResolvedScript script = resolve_script(spec_.argv[0], runs_as_);
  if (!script.refusal.empty()) return not_started(std::move(script.refusal));

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return not_started("cannot run " + script.path + ": pipe: " +
                       std::generic_category().message(errno));
  }
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  // Only our end is non-blocking: the flag lives on the open file description, and the
  // script must see ordinary blocking writes.
  ::fcntl(read_end.get(), F_SETFL, O_NONBLOCK);

  started_ = std::chrono::steady_clock::now();
  Spawned spawned = spawn_script(script.path, spec_.argv, spec_.env, spec_.user,
                                 write_end.get());
  write_end.reset();  // the child holds the only write end now: EOF when its group is gone
  if (spawned.pid < 0) return not_started(std::move(spawned.error));

  pid_ = spawned.pid;
  output_fd_ = std::move(read_end);
  output_.clear();
  timed_out_ = false;
  done_ = std::move(done);

  ev_io_set(&io_, output_fd_.get(), EV_READ);
  ev_io_start(loop_, &io_);
  ev_child_set(&child_, pid_, 0);
  ev_child_start(loop_, &child_);
  ev_now_update(loop_);  // spawning took time: a stale "now" would fire the timeout early
  ev_timer_set(&timer_, std::chrono::duration<double>(spec_.timeout).count(), 0.);
  ev_timer_start(loop_, &timer_);
  return std::nullopt;
}

void ScriptRunner::drain_output() {
  char buffer[65536];
  for (int i = 0; i < kReadsPerEvent && output_fd_; ++i) {
    const ssize_t n = ::read(output_fd_.get(), buffer, sizeof buffer);
    if (n > 0) {
      const std::size_t room = kOutputCap - output_.size();
      output_.append(buffer, std::min(room, static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    ev_io_stop(loop_, &io_);  // EOF, or an error that will not go away
    output_fd_.reset();
  }
}

void ScriptRunner::stop_watchers() {
  ev_io_stop(loop_, &io_);
  ev_child_stop(loop_, &child_);
  ev_timer_stop(loop_, &timer_);
}

void ScriptRunner::on_output(struct ev_loop*, ev_io* watcher, int) {
  static_cast<ScriptRunner*>(watcher->data)->drain_output();
}

void ScriptRunner::on_timeout(struct ev_loop*, ev_timer* watcher, int) {
  auto* self = static_cast<ScriptRunner*>(watcher->data);
  self->timed_out_ = true;
  // The whole group: a shell's children would otherwise live on, holding the pipe open.
  // The result is reported from on_exit, once the process has been reaped.
  self->kill_group();
}

void ScriptRunner::on_exit(struct ev_loop*, ev_child* watcher, int) {
  auto* self = static_cast<ScriptRunner*>(watcher->data);
  const int status = watcher->rstatus;
  // A check must not leave processes behind (a daemon started by a script would keep the
  // pipe open and accumulate): the leader is gone, kill what remains of its group. The
  // group id cannot have been reused while members remain; if none do this is ESRCH.
  self->kill_group();
  self->drain_output();

  ProbeResult result;
  result.duration = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() -
                                                         self->started_);
  result.output = first_line(self->output_);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.timed_out = self->timed_out_;
  if (self->timed_out_) result.error = "timed out after " + format_duration(self->spec_.timeout);
  result.passed = !self->timed_out_ && result.exit_code == 0;

  self->stop_watchers();
  self->output_fd_.reset();
  self->pid_ = -1;
  Done done = std::move(self->done_);
  self->done_ = nullptr;
  done(result);  // last: it may destroy this runner or start the next run
}

}  // namespace floatd::checks
