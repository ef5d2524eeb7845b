#include "checks/check_scheduler.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "checks/http_probe.hpp"
#include "checks/script_runner.hpp"
#include "checks/tcp_probe.hpp"

namespace floatd::checks {

namespace {

double seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

std::unique_ptr<Probe> make_probe(struct ev_loop* loop, const CheckSpec& spec,
                                  const std::optional<ScriptUser>& script_user) {
  const int kinds = !spec.argv.empty() + !spec.tcp.empty() + !spec.http.empty();
  if (kinds != 1) {
    throw std::invalid_argument(
        fmt::format("check '{}': exactly one of command, tcp and http is needed", spec.name));
  }
  if (!spec.http.empty()) {
    try {
      return std::make_unique<HttpProbe>(
          loop, HttpProbeSpec{spec.http, spec.expect_status, spec.timeout});
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("check '{}': {}", spec.name, e.what()));
    }
  }
  if (!spec.tcp.empty()) {
    auto target = parse_tcp_target(spec.tcp);
    if (!target) {
      throw std::invalid_argument(
          fmt::format("check '{}': tcp wants ADDRESS:PORT, got '{}'", spec.name, spec.tcp));
    }
    return std::make_unique<TcpProbe>(loop, std::move(*target), spec.timeout);
  }
  return std::make_unique<ScriptRunner>(loop, ScriptSpec{spec.argv, spec.timeout, script_user});
}

CheckScheduler::CheckScheduler(struct ev_loop* loop, std::vector<Check> checks,
                               CheckCallbacks callbacks)
    : loop_(loop), callbacks_(std::move(callbacks)) {
  if (!callbacks_.on_change) throw std::invalid_argument("the check scheduler needs on_change");
  for (Check& check : checks) slots_.push_back(make_slot(std::move(check), Health::Unknown));
}

CheckScheduler::~CheckScheduler() {
  for (auto& slot : slots_) ev_timer_stop(loop_, &slot->timer);
}

std::unique_ptr<CheckScheduler::Slot> CheckScheduler::make_slot(Check check, Health initial) {
  if (check.spec.interval <= Duration::zero()) {
    throw std::invalid_argument(
        fmt::format("check '{}': interval must be positive", check.spec.name));
  }
  Hysteresis hysteresis(check.spec.rise, check.spec.fall, initial);
  auto slot = std::make_unique<Slot>(
      Slot{this, std::move(check.spec), std::move(check.probe), hysteresis});
  ev_init(&slot->timer, on_timer);
  slot->timer.data = slot.get();
  return slot;
}

void CheckScheduler::arm(Slot& slot, Duration first_run) {
  ev_timer_set(&slot.timer, seconds(first_run), seconds(slot.spec.interval));
  ev_timer_start(loop_, &slot.timer);
}

void CheckScheduler::start() {
  ev_now_update(loop_);
  started_ = true;
  const auto n = static_cast<double>(slots_.size());
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = *slots_[i];
    const auto spread = std::min<Duration>(slot.spec.interval, std::chrono::seconds(1));
    arm(slot, std::chrono::duration_cast<Duration>(spread * (static_cast<double>(i) / n)));
  }
}

void CheckScheduler::add(Check check, Health initial) {
  for (const auto& slot : slots_) {
    if (slot->spec.name == check.spec.name) {
      throw std::invalid_argument(
          fmt::format("check '{}' is already scheduled", check.spec.name));
    }
  }
  slots_.push_back(make_slot(std::move(check), initial));
  if (started_) arm(*slots_.back(), Duration::zero());
}

void CheckScheduler::remove(std::string_view name) {
  const Slot& slot = find(name);
  const auto found = std::find_if(slots_.begin(), slots_.end(),
                                  [&](const auto& s) { return s.get() == &slot; });
  ev_timer_stop(loop_, &(*found)->timer);
  slots_.erase(found);
}

void CheckScheduler::on_timer(struct ev_loop*, ev_timer* watcher, int) {
  auto* slot = static_cast<Slot*>(watcher->data);
  slot->owner->run(*slot);
}

void CheckScheduler::run(Slot& slot) {
  if (slot.probe->running()) {
    // The run in flight will still report (its own timeout bounds it); starting a second
    // one would only pile up processes behind a stuck service.
    ++slot.skipped;
    if (callbacks_.on_skip) callbacks_.on_skip(slot.spec.name);
    return;
  }
  auto immediate = slot.probe->start([this, &slot](const ProbeResult& r) { record(slot, r); });
  if (immediate) record(slot, *immediate);
}

void CheckScheduler::record(Slot& slot, const ProbeResult& result) {
  if (callbacks_.on_result) callbacks_.on_result(slot.spec.name, result);
  const Health before = slot.hysteresis.health();
  if (!slot.hysteresis.record(result.passed)) return;
  const bool passing = slot.hysteresis.passing();
  const int streak = passing ? slot.spec.rise : before == Health::Unknown ? 1 : slot.spec.fall;
  callbacks_.on_change(slot.spec.name, passing,
                       fmt::format("{} ({} in a row)", describe(result), streak));
}

const CheckScheduler::Slot& CheckScheduler::find(std::string_view name) const {
  for (const auto& slot : slots_) {
    if (slot->spec.name == name) return *slot;
  }
  throw std::out_of_range(fmt::format("no check named '{}'", name));
}

Health CheckScheduler::health(std::string_view name) const {
  return find(name).hysteresis.health();
}

std::uint64_t CheckScheduler::skipped(std::string_view name) const {
  return find(name).skipped;
}

}  // namespace floatd::checks
