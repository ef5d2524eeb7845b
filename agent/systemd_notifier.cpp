#include "agent/systemd_notifier.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>

#include <spdlog/spdlog.h>

#include "agent/logging.hpp"

namespace floatd {

SystemdNotifier::SystemdNotifier(struct ev_loop* loop, Summary summary, Health health)
    : loop_(loop), summary_(std::move(summary)), health_(std::move(health)) {
  ev_init(&watchdog_, on_watchdog);
  watchdog_.data = this;
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    // Ping at half the period: the loop only gets here when it is turning.
    watchdog_.repeat = static_cast<double>(usec) / 2e6;
    ev_timer_again(loop_, &watchdog_);
  }
}

SystemdNotifier::~SystemdNotifier() { ev_timer_stop(loop_, &watchdog_); }

void SystemdNotifier::ready() {
  last_status_ = summary_();
  sd_notifyf(0, "READY=1\nSTATUS=%s", last_status_.c_str());
}

void SystemdNotifier::reloading() { sd_notify(0, "RELOADING=1"); }

void SystemdNotifier::stopping() { sd_notify(0, "STOPPING=1"); }

void SystemdNotifier::update_status() {
  auto status = summary_();
  if (status == last_status_) return;
  last_status_ = std::move(status);
  sd_notifyf(0, "STATUS=%s", last_status_.c_str());
}

void SystemdNotifier::on_watchdog(struct ev_loop*, ev_timer* watcher, int) {
  auto& self = *static_cast<SystemdNotifier*>(watcher->data);
  auto problem = self.health_();
  if (problem.empty()) {
    if (!self.withheld_.empty()) subsystem_logger("floatd")->info("healthy again: watchdog pings resume");
    sd_notify(0, "WATCHDOG=1");
  } else if (problem != self.withheld_) {
    subsystem_logger("floatd")->error("withholding the systemd watchdog ping: {}", problem);
  }
  self.withheld_ = std::move(problem);
}

}  // namespace floatd
