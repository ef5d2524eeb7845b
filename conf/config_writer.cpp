#include "conf/config_writer.hpp"

#include <toml.hpp>

#include <fmt/format.h>

#include "conf/duration.hpp"

namespace floatd::conf {
namespace {

// TOML string syntax (quotes, escapes) from toml11 itself.
std::string quoted(const std::string& text) { return toml::format(toml::value(text)); }

std::string duration(Duration d) { return quoted(format_duration(d)); }

template <class T, class F>
std::string array(const std::vector<T>& items, F&& format_item) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : "") + format_item(items[i]);
  return out + "]";
}

void write_global(std::string& out, const GlobalConfig& g) {
  out += "[global]\n";
  if (g.router_id.empty()) {
    out += "# router_id: not set (the host name)\n";
  } else {
    out += fmt::format("router_id = {}\n", quoted(g.router_id));
  }
  out += fmt::format("control_socket = {}\n", quoted(g.control_socket));
  out += fmt::format("state_dir = {}\n", quoted(g.state_dir));
  if (g.script_user.empty()) {
    out += "# script_user: not set (floatd-script if that user exists, else nobody)\n";
  } else {
    out += fmt::format("script_user = {}\n", quoted(g.script_user));
  }
  if (g.metrics_textfile.empty()) {
    out += "# metrics_textfile: not set (no metrics file; floatctl metrics still works)\n";
  } else {
    out += fmt::format("metrics_textfile = {}\n", quoted(g.metrics_textfile));
  }
  out += fmt::format("notify_timeout = {}\n", duration(g.notify_timeout));
}

void write_hooks(std::string& out, const HookConfig& h) {
  const std::pair<std::string_view, const std::vector<std::string>*> keys[] = {
      {"notify", &h.notify},       {"on_master", &h.on_master}, {"on_backup", &h.on_backup},
      {"on_fault", &h.on_fault}, {"on_stop", &h.on_stop},
  };
  for (const auto& [key, argv] : keys) {
    if (!argv->empty()) out += fmt::format("{} = {}\n", key, array(*argv, quoted));
  }
}

std::string track(const TrackConfig& t) {
  const auto subject = !t.check.empty()       ? fmt::format("check = {}", quoted(t.check))
                       : !t.interface.empty() ? fmt::format("interface = {}", quoted(t.interface))
                                              : fmt::format("file = {}", quoted(t.file));
  return fmt::format("{{ {}, weight = {} }}", subject, t.weight);
}

void write_check(std::string& out, const CheckConfig& c) {
  out += "\n[[check]]\n";
  out += fmt::format("name = {}\n", quoted(c.name));
  if (!c.command.empty()) out += fmt::format("command = {}\n", array(c.command, quoted));
  if (!c.tcp.empty()) out += fmt::format("tcp = {}\n", quoted(c.tcp));
  if (!c.http.empty()) {
    out += fmt::format("http = {}\nexpect_status = {}\n", quoted(c.http), c.expect_status);
  }
  out += fmt::format("interval = {}\ntimeout = {}\n", duration(c.interval), duration(c.timeout));
  out += fmt::format("rise = {}\nfall = {}\n", c.rise, c.fall);
}

void write_instance(std::string& out, const InstanceConfig& i) {
  out += "\n[[instance]]\n";
  out += fmt::format("name = {}\ninterface = {}\n", quoted(i.name), quoted(i.interface));
  out += fmt::format("vrid = {}\npriority = {}\n", i.vrid, i.priority);
  out += fmt::format("advert_interval = {}\n", duration(i.advert_interval));
  out += fmt::format("vips = {}\n", array(i.vips, [](const IpPrefix& p) { return quoted(p.to_string()); }));
  out += fmt::format("preempt = {}\npreempt_delay = {}\n", i.preempt, duration(i.preempt_delay));
  out += fmt::format("track = {}\n", array(i.track, track));
  out += fmt::format("garp_count = {}\ngarp_interval = {}\ngarp_repeat = {}\ngarp_refresh = {}\n",
                     i.garp_count, duration(i.garp_interval), duration(i.garp_repeat),
                     duration(i.garp_refresh));
  out += fmt::format("on_vip_removed = {}\n", quoted(std::string(to_string(i.on_vip_removed))));
  out += fmt::format("checksum = {}\n", quoted(std::string(to_string(i.checksum))));
  write_hooks(out, i.hooks);
}

void write_group(std::string& out, const GroupConfig& g) {
  out += "\n[[group]]\n";
  out += fmt::format("name = {}\ninstances = {}\n", quoted(g.name), array(g.instances, quoted));
  write_hooks(out, g.hooks);
}

}  // namespace

std::string format_config(const Config& config) {
  std::string out = fmt::format("# effective configuration of {}\n", config.path);
  write_global(out, config.global);
  for (const auto& c : config.checks) write_check(out, c);
  for (const auto& i : config.instances) write_instance(out, i);
  for (const auto& g : config.groups) write_group(out, g);
  return out;
}

}  // namespace floatd::conf
