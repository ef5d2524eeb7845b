#include "checks/hook_queue.hpp"

#include <stdexcept>
#include <utility>

namespace floatd::checks {

HookQueue::HookQueue(struct ev_loop* loop, std::optional<ScriptUser> user, Duration timeout,
                     std::size_t max_pending, OnDone on_done, OnDropped on_dropped)
    : loop_(loop),
      user_(std::move(user)),
      timeout_(timeout),
      max_pending_(max_pending),
      on_done_(std::move(on_done)),
      on_dropped_(std::move(on_dropped)) {
  if (!ev_is_default_loop(loop)) {
    throw std::invalid_argument("notify hooks need libev's default loop (ev_child)");
  }
  if (timeout <= Duration::zero()) throw std::invalid_argument("a hook timeout must be positive");
  // With no room to wait, every hook pushed during a run would be lost, and the event
  // that follows a burst (the one that matters) with it.
  if (max_pending == 0) throw std::invalid_argument("max_pending must be at least 1");
  if (!on_done_) throw std::invalid_argument("a hook queue needs on_done");
}

void HookQueue::push(Hook hook) {
  if (waiting_.size() >= max_pending_) drop_oldest();
  waiting_.push_back(std::move(hook));
  run_waiting();
}

void HookQueue::drop_oldest() {
  Hook oldest = std::move(waiting_.front());
  waiting_.pop_front();
  ++dropped_;
  if (on_dropped_) on_dropped_(oldest);
}

// Starts waiting hooks until one is in flight or none is left: a hook that cannot start is
// reported at once and must not stall the ones behind it. A loop, not recursion, so a long
// run of failures (a hook script deleted) costs no stack.
void HookQueue::run_waiting() {
  if (dispatching_) return;  // a push from on_done below: the loop picks the hook up
  dispatching_ = true;
  while (!current_ && !waiting_.empty()) {
    Hook hook = std::move(waiting_.front());
    waiting_.pop_front();
    start(std::move(hook));
  }
  dispatching_ = false;
}

// Makes `hook` current and starts it, or reports at once why it cannot start.
void HookQueue::start(Hook hook) {
  if (hook.argv.empty()) {  // ScriptRunner would throw; a bad hook is only reported
    ProbeResult result;
    result.error = "a hook needs a command";
    on_done_(hook, result);
    return;
  }
  ScriptSpec spec{hook.argv, timeout_, user_, hook.env};
  current_ = std::make_unique<Current>(loop_, std::move(hook), std::move(spec));
  const std::optional<ProbeResult> failed =
      current_->runner.start([this](const ProbeResult& result) { finished(result); });
  if (!failed) return;
  const std::unique_ptr<Current> refused = std::move(current_);
  on_done_(refused->hook, *failed);
}

// From the runner's ev_child callback, once the hook's process has been reaped.
void HookQueue::finished(const ProbeResult& result) {
  // Destroying the runner inside its own callback is allowed (see Probe::start).
  const std::unique_ptr<Current> done = std::move(current_);
  on_done_(done->hook, result);
  run_waiting();
}

}  // namespace floatd::checks
