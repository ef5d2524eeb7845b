// Hitless restart, the old process's half: floatctl restart -> request_restart() checks that
// the new process will start (the configuration loads), writes the handoff file
// (agent/handoff.hpp) and, right after the reply is written, freezes every instance (a last
// advert from each MASTER, VIPs left in place) and leaves the loop with Exit::Restart;
// floatd_main then execs the new floatd, which resumes from the file.
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "agent/daemon.hpp"
#include "conf/config_loader.hpp"

namespace floatd {

std::string Daemon::request_restart() {
  try {
    conf::load_config_file(config_.path);
  } catch (const conf::ConfigError& e) {
    std::string message = "the configuration has errors; not restarting";
    for (const auto& d : e.diagnostics()) message += "\n" + d.to_string();
    return message;
  }
  const auto path = handoff_path(config_.global.control_socket);
  if (auto error = save_handoff(path, handoff()); !error.empty())
    return "cannot save the running state for the new process: " + error;
  log_->info("hitless restart: running state saved in {}; handing over to a new floatd", path);
  notifier_.reloading();
  exit_ = Exit::Restart;
  ev_timer_set(&restart_timer_, 0., 0.);
  ev_timer_start(loop_, &restart_timer_);
  return "";
}

Handoff Daemon::handoff() const {
  Handoff h;
  h.pid = getpid();
  h.written_at = std::chrono::system_clock::now();
  for (const auto& runner : instances_) {
    h.instances.push_back({runner->name(), runner->settings().interface, runner->vrid(),
                           runner->state().state, runner->counters()});
  }
  for (const auto& check : config_.checks) h.checks[check.name] = tracking_->health(check.name);
  return h;
}

void Daemon::on_restart_timer(struct ev_loop* loop, ev_timer* watcher, int) {
  auto* self = static_cast<Daemon*>(watcher->data);
  for (auto& instance : self->instances_) instance->freeze();
  ev_break(loop, EVBREAK_ALL);
}

}  // namespace floatd
