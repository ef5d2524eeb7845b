#include "agent/daemon.hpp"

#include <algorithm>
#include <csignal>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "agent/control_commands.hpp"
#include "conf/config_writer.hpp"

namespace floatd {
namespace {

std::optional<TrackedInterfaces::Link> query_tracked_interface(const std::string& name) {
  const auto info = net::query_link(name);
  if (!info) return std::nullopt;
  return TrackedInterfaces::Link{info->ifindex, info->up};
}

// nullopt: "auto".
std::optional<packet::ChecksumVariant> checksum_variant(conf::ChecksumMode mode) {
  switch (mode) {
    case conf::ChecksumMode::Auto: return std::nullopt;
    case conf::ChecksumMode::PseudoHeader: return packet::ChecksumVariant::PseudoHeader;
    case conf::ChecksumMode::Rfc9568: return packet::ChecksumVariant::NoPseudoHeader;
  }
  return std::nullopt;
}

}  // namespace

Daemon::Daemon(struct ev_loop* loop, const conf::Config& config, StateChangeLog& state_log,
               const Handoff* resumed)
    : loop_(loop),
      config_(config),
      state_log_(state_log),
      log_(subsystem_logger("floatd")),
      maintenance_flag_(config.global.state_dir),
      maintenance_(maintenance_flag_.is_set()),
      notifier_(loop, [this] { return summary(); }, [this] { return health(); }) {
  state_log_.observe([this](const StateChange& change) { on_state_change(change); });
  // First, so a second floatd on the same configuration stops here, before touching VIPs.
  control_ = std::make_unique<ControlServer>(
      loop_, config.global.control_socket,
      [this](std::string_view request) { return handle_control(request); });
  tracking_ = std::make_unique<Tracking>(
      loop_, config, resumed ? resumed->checks : std::map<std::string, checks::Health>{},
      query_tracked_interface);
  hooks_ = std::make_unique<NotifyHooks>(loop_, config_);
  for (const auto& instance : config.instances) add_instance(instance);
  sync_groups_.configure(config.groups, runners());

  // Listen before the instances start so no link change between query and start is lost.
  link_monitor_ = std::make_unique<net::LinkMonitor>(
      loop_, net::LinkMonitor::Callbacks{
                 [this](const net::LinkEvent& e) { on_link_event(e); },
                 [this](const net::AddressEvent& e) { on_address_event(e); },
                 [this] { resync_links(); },
             });
  if (maintenance_)
    log_->warn("maintenance mode is on (floatctl maintenance off ends it): staying out of MASTER");
  if (resumed) log_->info("resuming the state handed over by the previous floatd process");
  for (const auto& instance : config.instances)
    start_instance(*find_instance(instance.name), instance, resumed);
  tracking_->start();
  metrics_file_ = std::make_unique<MetricsTextfile>(
      loop_, [this] { return config_.global.metrics_textfile; },
      [this] { return metrics_text(control_context()); });
  metrics_file_->write_now();

  ev_init(&restart_timer_, on_restart_timer);
  restart_timer_.data = this;
  ev_signal_init(&sigterm_, on_stop_signal, SIGTERM);
  ev_signal_init(&sigint_, on_stop_signal, SIGINT);
  ev_signal_init(&sighup_, on_hup_signal, SIGHUP);
  for (ev_signal* s : {&sigterm_, &sigint_, &sighup_}) {
    s->data = this;
    ev_signal_start(loop_, s);
  }
}

Daemon::~Daemon() {
  state_log_.observe(nullptr);
  for (ev_signal* s : {&sigterm_, &sigint_, &sighup_}) ev_signal_stop(loop_, s);
  ev_timer_stop(loop_, &restart_timer_);
}

Daemon::Link& Daemon::open_link(const conf::InstanceConfig& instance) {
  auto info = net::query_link(instance.interface);
  if (!info) {
    throw std::runtime_error(fmt::format("instance '{}': interface '{}' does not exist",
                                         instance.name, instance.interface));
  }
  if (auto found = links_.find(info->ifindex); found != links_.end()) return found->second;

  const auto primary = net::primary_ipv4(*info, instance.vips);
  if (!primary) {
    throw std::runtime_error(fmt::format(
        "instance '{}': interface '{}' has no IPv4 address (other than the VIPs) to send "
        "adverts from",
        instance.name, instance.interface));
  }
  Link& link = links_[info->ifindex];
  link.info = *info;
  link.primary = *primary;
  link.dispatcher = std::make_unique<AdvertDispatcher>(info->name, *primary);
  link.socket = std::make_unique<net::VrrpSocket4>(
      loop_, info->ifindex, info->name, *primary,
      [d = link.dispatcher.get()](std::span<const std::uint8_t> datagram) { d->receive(datagram); });
  link.advert_socket = std::make_unique<net::Ipv4AdvertSocket>(*link.socket);
  link.addresses = std::make_unique<net::InterfaceAddresses>(netlink_addresses_, info->ifindex);
  link.announcer = std::make_unique<net::GarpAnnouncer>(garp_, info->ifindex, info->mac);
  log_->info("interface {} (index {}): adverts from {}", info->name, info->ifindex,
             primary->to_string());
  return link;
}

ElectionConfig Daemon::election_config(const conf::InstanceConfig& instance,
                                       const Link& link) const {
  ElectionConfig election;
  election.vrid = instance.vrid;
  election.priority = instance.priority;
  election.advert_interval = instance.advert_interval;
  election.preempt = instance.preempt;
  election.preempt_delay = instance.preempt_delay;
  election.primary_address = link.primary;
  return election;
}

InstanceSettings Daemon::instance_settings(const conf::InstanceConfig& instance,
                                           const std::string& interface) {
  return {.name = instance.name,
          .interface = interface,
          .vips = instance.vips,
          .garp_count = instance.garp_count,
          .garp_interval = instance.garp_interval,
          .garp_refresh = instance.garp_refresh,
          .restore_removed_vips = instance.on_vip_removed == conf::OnVipRemoved::Restore,
          .garp_repeat = instance.garp_repeat,
          .checksum = checksum_variant(instance.checksum)};
}

InstanceRunner& Daemon::add_instance(const conf::InstanceConfig& instance) {
  Link& link = open_link(instance);
  auto runner = std::make_unique<InstanceRunner>(
      loop_, instance_settings(instance, link.info.name), election_config(instance, link),
      InstancePorts{*link.advert_socket, *link.addresses, *link.announcer}, state_log_);
  link.dispatcher->route(instance.vrid, [r = runner.get()](const packet::Decoded& d) {
    r->advert_received(d.source, d.advert, d.checksum);
  });
  link.instances.push_back(runner.get());
  instances_.push_back(std::move(runner));
  return *instances_.back();
}

// Trackers first, so an instance tracking a failing check starts in FAULT, not BACKUP.
void Daemon::start_instance(InstanceRunner& runner, const conf::InstanceConfig& instance,
                            const Handoff* resumed) {
  tracking_->follow(runner, instance.track);
  if (maintenance_) runner.set_maintenance(true);
  const Link& link = *link_of(runner);
  const auto* before = resumed ? resumed->find(instance.name) : nullptr;
  if (before) runner.restore_counters(before->counters);
  if (resumed && resumed->was_master(instance.name, link.info.name, instance.vrid)) {
    runner.resume(link.info.up);
  } else {
    runner.start(link.info.up, link.info.addresses);
  }
}

std::vector<InstanceRunner*> Daemon::runners() const {
  std::vector<InstanceRunner*> out;
  for (const auto& runner : instances_) out.push_back(runner.get());
  return out;
}

InstanceRunner* Daemon::find_instance(const std::string& name) {
  for (auto& runner : instances_) {
    if (runner->name() == name) return runner.get();
  }
  return nullptr;
}

Daemon::Link* Daemon::link_of(const InstanceRunner& runner) {
  for (auto& [ifindex, link] : links_) {
    if (std::find(link.instances.begin(), link.instances.end(), &runner) != link.instances.end())
      return &link;
  }
  return nullptr;
}

// Resigns (priority-0 advert and VIPs removed when MASTER) and forgets the instance; the
// interface is closed with its last instance.
void Daemon::remove_instance(const std::string& name) {
  InstanceRunner* runner = find_instance(name);
  if (!runner) return;
  runner->shutdown();
  tracking_->forget(*runner);
  sync_groups_.forget(*runner);
  Link* link = link_of(*runner);
  link->dispatcher->unroute(runner->vrid());
  std::erase(link->instances, runner);
  if (link->instances.empty()) {
    log_->info("interface {}: no instance left, closed", link->info.name);
    links_.erase(link->info.ifindex);
  }
  std::erase_if(instances_, [&](const auto& r) { return r.get() == runner; });
}

void Daemon::on_address_event(const net::AddressEvent& event) {
  if (event.added) return;
  const auto found = links_.find(event.ifindex);
  if (found == links_.end()) return;
  for (auto* instance : found->second.instances) instance->address_removed(event.prefix);
}

void Daemon::on_link_event(const net::LinkEvent& event) {
  if (auto found = links_.find(event.ifindex); found != links_.end())
    set_link_state(found->second, event.up);
  tracking_->link_changed(event.ifindex, event.up);
}

// Notifications were lost (socket overrun): read the truth again.
void Daemon::resync_links() {
  log_->warn("netlink notifications overrun; re-reading link state");
  for (auto& [ifindex, link] : links_) {
    const auto info = net::query_link(link.info.name);
    set_link_state(link, info && info->ifindex == ifindex && info->up);
  }
  tracking_->links_resynced();
}

// RTM_NEWLINK arrives for any attribute change; only an up/down flip matters here.
void Daemon::set_link_state(Link& link, bool up) {
  if (link.info.up == up) return;
  link.info.up = up;
  log_->info("interface {} is {}", link.info.name, up ? "up" : "down");
  for (auto* instance : link.instances) instance->link_changed(up);
}

ControlServer::Reply Daemon::handle_control(std::string_view request) {
  return handle_control_request(request, control_context());
}

ControlContext Daemon::control_context() {
  ControlContext context{instances_,
                         {},
                         tracking_->metrics(),
                         history_,
                         maintenance_,
                         [this](bool on) { return set_maintenance(on); },
                         [this](bool plan_only) { return reload(plan_only); },
                         [this] { return conf::format_config(config_); },
                         [this] { return request_restart(); }};
  for (const auto& [ifindex, link] : links_) context.interfaces.push_back(link.dispatcher.get());
  return context;
}

std::string Daemon::set_maintenance(bool on) {
  if (auto error = maintenance_flag_.set(on); !error.empty()) return error;
  maintenance_ = on;
  log_->warn("maintenance mode {}", on ? "on: handing over and staying out of MASTER" : "off");
  for (auto& instance : instances_) instance->set_maintenance(on);
  return "";
}

void Daemon::on_state_change(const StateChange& change) {
  HistoryEntry entry{std::chrono::system_clock::now(), change};
  if (control_) control_->broadcast(control::to_line(state_change_to_json(entry)));
  history_.add(std::move(entry));
  if (hooks_) hooks_->on_state_change(change);
  notifier_.update_status();
  if (metrics_file_) metrics_file_->write_soon();
}

Daemon::Exit Daemon::run() {
  notifier_.ready();
  ev_run(loop_, 0);
  // Stopping: the on_stop hooks of the instances just stopped. Not before a hitless
  // restart, whose MASTERs must not go without adverts while hooks run.
  if (exit_ == Exit::Stopped) hooks_->drain(loop_);
  return exit_;
}

std::string Daemon::health() const {
  if (link_monitor_) {
    if (auto problem = link_monitor_->health(); !problem.empty()) return problem;
  }
  const auto now = std::chrono::steady_clock::now();
  for (const auto& instance : instances_) {
    if (auto problem = instance->advert_health(now); !problem.empty()) return problem;
  }
  return "";
}

std::string Daemon::summary() const {
  std::string out;
  for (const auto& i : instances_) {
    out += fmt::format("{}{} {} {}", out.empty() ? "" : ", ", i->name(), to_string(i->state().state),
                       i->state().priority);
  }
  return out.empty() ? "no instances configured" : out;
}

void Daemon::stop() {
  notifier_.stopping();
  log_->info("stopping: resigning every instance");
  for (auto& instance : instances_) instance->shutdown();
  if (metrics_file_) metrics_file_->write_now();  // the loop ends before write_soon's turn
  ev_break(loop_, EVBREAK_ALL);
}

void Daemon::on_stop_signal(struct ev_loop*, ev_signal* watcher, int) {
  static_cast<Daemon*>(watcher->data)->stop();
}

void Daemon::on_hup_signal(struct ev_loop*, ev_signal* watcher, int) {
  static_cast<Daemon*>(watcher->data)->reload_from_signal();
}

}  // namespace floatd
