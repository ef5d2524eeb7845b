#include "conf/config_diff.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "conf/duration.hpp"

namespace floatd::conf {
namespace {

std::string text(const std::string& s) { return fmt::format("'{}'", s); }
std::string text(int n) { return std::to_string(n); }
std::string text(bool b) { return b ? "true" : "false"; }
std::string text(Duration d) { return format_duration(d); }
std::string text(OnVipRemoved p) { return std::string(to_string(p)); }
std::string text(ChecksumMode m) { return std::string(to_string(m)); }

std::string text(const std::vector<std::string>& argv) {
  std::string out = "[";
  for (const auto& arg : argv) out += (out.size() > 1 ? ", " : "") + text(arg);
  return out + "]";
}

// "[check web:-100, interface eth1:0]"
std::string text(const std::vector<TrackConfig>& tracks) {
  std::string out = "[";
  for (const auto& t : tracks) {
    const auto subject = !t.check.empty()       ? "check " + t.check
                         : !t.interface.empty() ? "interface " + t.interface
                                                : "file " + t.file;
    out += fmt::format("{}{}:{}", out.size() > 1 ? ", " : "", subject, t.weight);
  }
  return out + "]";
}

// Appends "field old -> new" when the two differ.
template <typename T>
void compare(std::vector<std::string>& details, std::string_view field, const T& before,
             const T& after) {
  if (before == after) return;
  details.push_back(fmt::format("{} {} -> {}", field, text(before), text(after)));
}

void compare_hooks(std::vector<std::string>& details, const HookConfig& a, const HookConfig& b) {
  compare(details, "notify", a.notify, b.notify);
  compare(details, "on_master", a.on_master, b.on_master);
  compare(details, "on_backup", a.on_backup, b.on_backup);
  compare(details, "on_fault", a.on_fault, b.on_fault);
  compare(details, "on_stop", a.on_stop, b.on_stop);
}

// "vips +192.0.2.7/24 -192.0.2.6/24": what a MASTER adds and removes.
void compare_vips(std::vector<std::string>& details, const std::vector<IpPrefix>& before,
                  const std::vector<IpPrefix>& after) {
  std::string change;
  for (const auto& vip : after) {
    if (std::find(before.begin(), before.end(), vip) == before.end())
      change += " +" + vip.to_string();
  }
  for (const auto& vip : before) {
    if (std::find(after.begin(), after.end(), vip) == after.end())
      change += " -" + vip.to_string();
  }
  if (!change.empty()) details.push_back("vips" + change);
}

// Differences that need the virtual router restarted: it speaks on another link or VRID,
// or becomes (or stops being) the address owner.
std::vector<std::string> restart_reasons(const InstanceConfig& a, const InstanceConfig& b) {
  std::vector<std::string> out;
  compare(out, "interface", a.interface, b.interface);
  compare(out, "vrid", int{a.vrid}, int{b.vrid});
  if ((a.priority == 255) != (b.priority == 255))
    out.push_back(fmt::format("priority {} -> {} (address owner)", a.priority, b.priority));
  return out;
}

std::vector<std::string> in_place_changes(const InstanceConfig& a, const InstanceConfig& b) {
  std::vector<std::string> out;
  compare(out, "priority", int{a.priority}, int{b.priority});
  compare(out, "advert_interval", a.advert_interval, b.advert_interval);
  compare_vips(out, a.vips, b.vips);
  compare(out, "preempt", a.preempt, b.preempt);
  compare(out, "preempt_delay", a.preempt_delay, b.preempt_delay);
  compare(out, "track", a.track, b.track);
  compare(out, "garp_count", a.garp_count, b.garp_count);
  compare(out, "garp_interval", a.garp_interval, b.garp_interval);
  compare(out, "garp_repeat", a.garp_repeat, b.garp_repeat);
  compare(out, "garp_refresh", a.garp_refresh, b.garp_refresh);
  compare(out, "on_vip_removed", a.on_vip_removed, b.on_vip_removed);
  compare(out, "checksum", a.checksum, b.checksum);
  compare_hooks(out, a.hooks, b.hooks);
  return out;
}

InstanceDiff diff_instance(const InstanceConfig& a, const InstanceConfig& b) {
  if (auto reasons = restart_reasons(a, b); !reasons.empty())
    return {b.name, Change::Restarted, std::move(reasons)};
  auto changes = in_place_changes(a, b);
  return {b.name, changes.empty() ? Change::Unchanged : Change::Updated, std::move(changes)};
}

CheckDiff diff_check(const CheckConfig& a, const CheckConfig& b, bool script_user_changed) {
  std::vector<std::string> out;
  compare(out, "command", a.command, b.command);
  compare(out, "tcp", a.tcp, b.tcp);
  compare(out, "http", a.http, b.http);
  compare(out, "expect_status", a.expect_status, b.expect_status);
  compare(out, "interval", a.interval, b.interval);
  compare(out, "timeout", a.timeout, b.timeout);
  compare(out, "rise", a.rise, b.rise);
  compare(out, "fall", a.fall, b.fall);
  if (script_user_changed) out.push_back("runs as the new script_user");
  return {b.name, out.empty() ? Change::Unchanged : Change::Updated, std::move(out)};
}

GroupDiff diff_group(const GroupConfig& a, const GroupConfig& b) {
  std::vector<std::string> out;
  compare(out, "instances", a.instances, b.instances);
  compare_hooks(out, a.hooks, b.hooks);
  return {b.name, out.empty() ? Change::Unchanged : Change::Updated, std::move(out)};
}

template <typename T>
const T* find_named(const std::vector<T>& items, const std::string& name) {
  for (const auto& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

// Items of `next` compared with their namesake in `running` (or Added), then the items of
// `running` that `next` no longer has (Removed).
template <typename Diff, typename T, typename Compare>
std::vector<Diff> diff_named(const std::vector<T>& running, const std::vector<T>& next,
                             Compare compare_items) {
  std::vector<Diff> out;
  for (const auto& item : next) {
    const T* before = find_named(running, item.name);
    out.push_back(before ? compare_items(*before, item) : Diff{item.name, Change::Added, {}});
  }
  for (const auto& item : running) {
    if (!find_named(next, item.name)) out.push_back(Diff{item.name, Change::Removed, {}});
  }
  return out;
}

void diff_global(const GlobalConfig& a, const GlobalConfig& b, ConfigDiff& diff) {
  compare(diff.global, "router_id", a.router_id, b.router_id);
  compare(diff.global, "script_user", a.script_user, b.script_user);
  compare(diff.global, "metrics_textfile", a.metrics_textfile, b.metrics_textfile);
  compare(diff.global, "notify_timeout", a.notify_timeout, b.notify_timeout);
  compare(diff.at_restart, "control_socket", a.control_socket, b.control_socket);
  compare(diff.at_restart, "state_dir", a.state_dir, b.state_dir);
}

template <typename Diff>
void format_items(std::vector<std::string>& lines, std::string_view kind,
                  const std::vector<Diff>& items) {
  for (const auto& item : items) {
    std::string line = fmt::format("{} {}: {}", kind, item.name, to_string(item.change));
    for (std::size_t i = 0; i < item.details.size(); ++i)
      line += (i == 0 ? ": " : "; ") + item.details[i];
    lines.push_back(std::move(line));
  }
}

}  // namespace

std::string_view to_string(Change change) {
  switch (change) {
    case Change::Unchanged: return "unchanged";
    case Change::Updated: return "updated in place";
    case Change::Restarted: return "restarted";
    case Change::Removed: return "removed";
    case Change::Added: return "added";
  }
  return "?";
}

bool ConfigDiff::empty() const {
  const auto unchanged = [](const auto& item) { return item.change == Change::Unchanged; };
  return std::all_of(instances.begin(), instances.end(), unchanged) &&
         std::all_of(checks.begin(), checks.end(), unchanged) &&
         std::all_of(groups.begin(), groups.end(), unchanged) && global.empty() &&
         at_restart.empty();
}

ConfigDiff diff_configs(const Config& running, const Config& next) {
  ConfigDiff diff;
  diff_global(running.global, next.global, diff);
  const bool script_user_changed = running.global.script_user != next.global.script_user;
  diff.checks = diff_named<CheckDiff>(
      running.checks, next.checks, [&](const CheckConfig& a, const CheckConfig& b) {
        return diff_check(a, b, script_user_changed);
      });
  diff.instances = diff_named<InstanceDiff>(running.instances, next.instances, diff_instance);
  diff.groups = diff_named<GroupDiff>(running.groups, next.groups, diff_group);
  return diff;
}

std::vector<std::string> format_plan(const ConfigDiff& diff) {
  std::vector<std::string> lines;
  format_items(lines, "instance", diff.instances);
  format_items(lines, "check", diff.checks);
  format_items(lines, "group", diff.groups);
  for (const auto& g : diff.global) lines.push_back("global: " + g);
  for (const auto& g : diff.at_restart)
    lines.push_back("global: " + g + " (takes effect at the next restart, not by a reload)");
  if (diff.empty()) lines.push_back("nothing to change");
  return lines;
}

}  // namespace floatd::conf
