#include "conf/config_schema.hpp"

#include <fmt/format.h>
#include <sys/un.h>

#include <algorithm>
#include <functional>
#include <map>
#include <utility>

#include "conf/duration.hpp"
#include "conf/schema_reader.hpp"

namespace floatd::conf {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr IntRange kVridRange{1, 255};
constexpr IntRange kPriorityRange{1, 255};  // 0 is reserved for "master is leaving"
constexpr IntRange kGarpCountRange{1, 100};

// RFC 5798 5.2.7: Max Advertise Interval is a 12-bit count of centiseconds (at most 4095).
constexpr DurationRange kAdvertIntervalRange{milliseconds(10), milliseconds(40950)};
constexpr DurationRange kPreemptDelayRange{Duration::zero(), hours(1)};
constexpr DurationRange kGarpIntervalRange{milliseconds(10), seconds(10)};
constexpr DurationRange kGarpRepeatRange{Duration::zero(), std::chrono::minutes(1)};
constexpr DurationRange kNotifyTimeoutRange{milliseconds(10), hours(1)};
constexpr DurationRange kAnyDuration{};
constexpr Duration kMinGarpRefresh = seconds(1);

// bind() refuses longer paths: sun_path holds 108 bytes including the terminating NUL.
constexpr std::size_t kMaxSocketPathLength = sizeof(sockaddr_un::sun_path) - 1;

// A VIP is one address; 192.0.2.1/24 and 192.0.2.1/32 would be the same address twice.
bool has_address(const std::vector<IpPrefix>& prefixes, const IpAddress& address) {
  return std::ranges::any_of(prefixes, [&](const IpPrefix& p) { return p.address == address; });
}

}  // namespace

bool valid_object_name(std::string_view name) {
  const auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  };
  return !name.empty() && name.size() <= kMaxObjectNameLength &&
         std::ranges::all_of(name, allowed);
}

bool valid_interface_name(std::string_view name) {
  const auto allowed = [](char c) {
    const auto byte = static_cast<unsigned char>(c);  // UTF-8 bytes are allowed, as in Linux
    return byte > ' ' && byte != 0x7f && c != '/' && c != ':';
  };
  return !name.empty() && name.size() <= kMaxInterfaceNameLength && name != "." && name != ".." &&
         std::ranges::all_of(name, allowed);
}

Config SchemaReader::read(const toml::value& root) {
  TableReader r(root, "", diagnostics_);
  Config config;
  if (const toml::value* global = r.table("global", "[global]")) {
    config.global = read_global(*global);
  }
  const auto checks = r.tables("check", "[[check]] sections");
  for (std::size_t i = 0; i < checks.size(); ++i) {
    config.checks.push_back(read_check(*checks[i], i + 1));
  }
  // After every check, so track references resolve whatever the order in the file.
  const auto instances = r.tables("instance", "[[instance]] sections");
  for (std::size_t i = 0; i < instances.size(); ++i) {
    config.instances.push_back(read_instance(*instances[i], i + 1));
  }
  // After every instance, for the same reason.
  const auto groups = r.tables("group", "[[group]] sections");
  for (std::size_t i = 0; i < groups.size(); ++i) {
    config.groups.push_back(read_group(*groups[i], i + 1));
  }
  r.report_unknown_keys();
  return config;
}

GlobalConfig SchemaReader::read_global(const toml::value& table) {
  TableReader r(table, "global", diagnostics_);
  GlobalConfig global;
  if (auto id = r.string("router_id")) global.router_id = id->value;
  if (auto dir = r.string("state_dir")) {
    if (!dir->value.starts_with('/')) {
      r.error(*dir->node, fmt::format("state_dir '{}' must be an absolute path", dir->value));
    } else {
      global.state_dir = dir->value;
    }
  }
  if (auto user = r.string("script_user")) {
    if (user->value.empty()) {
      r.error(*user->node, "script_user must not be empty (leave it out for the default)");
    } else {
      global.script_user = user->value;
    }
  }
  if (auto file = r.string("metrics_textfile")) {
    if (!file->value.starts_with('/')) {
      r.error(*file->node,
              fmt::format("metrics_textfile '{}' must be an absolute path", file->value));
    } else if (!file->value.ends_with(".prom")) {
      r.error(*file->node, fmt::format("metrics_textfile '{}' must end in .prom (the textfile "
                                       "collector reads only *.prom files)",
                                       file->value));
    } else {
      global.metrics_textfile = file->value;
    }
  }
  if (auto timeout = r.duration("notify_timeout", kNotifyTimeoutRange)) {
    global.notify_timeout = timeout->value;
  }
  if (auto socket = r.string("control_socket")) {
    if (!socket->value.starts_with('/')) {
      r.error(*socket->node,
              fmt::format("control_socket '{}' must be an absolute path", socket->value));
    } else if (socket->value.size() > kMaxSocketPathLength) {
      r.error(*socket->node, fmt::format("control_socket is {} bytes long; a unix socket path "
                                         "holds at most {}",
                                         socket->value.size(), kMaxSocketPathLength));
    } else {
      global.control_socket = socket->value;
    }
  }
  r.report_unknown_keys();
  return global;
}

InstanceConfig SchemaReader::read_instance(const toml::value& table, std::size_t number) {
  TableReader r(table, fmt::format("instance #{}", number), diagnostics_);
  InstanceConfig instance;
  instance.name = read_object_name(r, instance_lines_, "instance");
  if (auto interface = r.string("interface", Need::kRequired)) {
    if (!valid_interface_name(interface->value)) {
      r.error(*interface->node, fmt::format("interface '{}' is not a valid interface name "
                                            "(1..{} characters, no '/', ':' or whitespace)",
                                            interface->value, kMaxInterfaceNameLength));
    } else {
      instance.interface = interface->value;
    }
  }
  if (auto vrid = r.integer("vrid", kVridRange, Need::kRequired)) {
    instance.vrid = static_cast<std::uint8_t>(vrid->value);
    if (!instance.interface.empty()) claim_vrid(r, instance.interface, *vrid);
  }
  if (auto priority = r.integer("priority", kPriorityRange)) {
    instance.priority = static_cast<std::uint8_t>(priority->value);
  }
  if (auto advert = r.duration("advert_interval", kAdvertIntervalRange)) {
    if (advert->value % Centiseconds(1) != Duration::zero()) {
      r.error(*advert->node, fmt::format("advert_interval {} is not a whole number of "
                                         "centiseconds (VRRPv3 advertises it in 10ms units)",
                                         format_duration(advert->value)));
    } else {
      instance.advert_interval = advert->value;
    }
  }
  read_vips(r, instance);
  if (auto preempt = r.boolean("preempt")) instance.preempt = preempt->value;
  if (auto delay = r.duration("preempt_delay", kPreemptDelayRange)) {
    instance.preempt_delay = delay->value;
  }
  read_tracks(r, instance);
  read_garp(r, instance);
  if (auto policy = r.string("on_vip_removed")) {
    if (policy->value == "restore") {
      instance.on_vip_removed = OnVipRemoved::Restore;
    } else if (policy->value == "fault") {
      instance.on_vip_removed = OnVipRemoved::Fault;
    } else {
      r.error(*policy->node, fmt::format("on_vip_removed '{}' must be \"restore\" or \"fault\"",
                                         policy->value));
    }
  }
  if (auto checksum = r.string("checksum")) {
    bool known = false;
    for (auto mode : {ChecksumMode::Auto, ChecksumMode::PseudoHeader, ChecksumMode::Rfc9568}) {
      if (checksum->value != to_string(mode)) continue;
      instance.checksum = mode;
      known = true;
    }
    if (!known) {
      r.error(*checksum->node, fmt::format("checksum '{}' must be \"auto\", \"pseudo-header\" or "
                                           "\"rfc9568\"",
                                           checksum->value));
    }
  }
  instance.hooks = read_hooks(r);
  r.report_unknown_keys();
  return instance;
}

void SchemaReader::read_vips(TableReader& r, InstanceConfig& instance) {
  const auto vips = r.array("vips", Need::kRequired);
  if (!vips) return;
  if (vips->value->empty()) {
    r.error(*vips->node, "vips must list at least one address");
    return;
  }
  for (std::size_t i = 0; i < vips->value->size(); ++i) {
    const toml::value& entry = (*vips->value)[i];
    const auto text = r.string_value(entry, fmt::format("vips entry {}", i + 1));
    if (!text) continue;
    const auto prefix = IpPrefix::parse(*text);
    if (!prefix) {
      r.error(entry, fmt::format("invalid VIP '{}' (expected an IPv4 address with an optional "
                                 "/prefix-length, e.g. \"192.0.2.100/24\")",
                                 *text));
    } else if (prefix->address.family() == Family::V6) {
      r.error(entry, fmt::format("VIP '{}': IPv6 VIPs are not supported yet", *text));
    } else if (has_address(instance.vips, prefix->address)) {
      r.error(entry, fmt::format("duplicate VIP {}", prefix->address.to_string()));
    } else {
      instance.vips.push_back(*prefix);
    }
  }
}

void SchemaReader::read_garp(TableReader& r, InstanceConfig& instance) {
  if (auto count = r.integer("garp_count", kGarpCountRange)) {
    instance.garp_count = static_cast<int>(count->value);
  }
  if (auto interval = r.duration("garp_interval", kGarpIntervalRange)) {
    instance.garp_interval = interval->value;
  }
  if (auto repeat = r.duration("garp_repeat", kGarpRepeatRange)) {
    instance.garp_repeat = repeat->value;
  }
  if (auto refresh = r.duration("garp_refresh", kAnyDuration)) {
    if (refresh->value != Duration::zero() && refresh->value < kMinGarpRefresh) {
      r.error(*refresh->node,
              fmt::format("garp_refresh {} must be 0s (off) or at least {}",
                          format_duration(refresh->value), format_duration(kMinGarpRefresh)));
    } else {
      instance.garp_refresh = refresh->value;
    }
  }
}

std::string SchemaReader::read_object_name(TableReader& r, FirstLines& first_lines,
                                           std::string_view kind) {
  const auto name = r.string("name", Need::kRequired);
  if (!name) return {};
  if (!valid_object_name(name->value)) {
    r.error(*name->node, fmt::format("name '{}' is invalid (1..{} characters from "
                                     "A-Z a-z 0-9 _ . -)",
                                     name->value, kMaxObjectNameLength));
    return {};
  }
  r.set_context(fmt::format("{} '{}'", kind, name->value));
  claim_name(first_lines, r, *name, kind);
  return name->value;
}

// Records where a name was first defined; a later definition is reported at its name.
void SchemaReader::claim_name(FirstLines& first_lines, TableReader& r, const Field<std::string>& name,
                std::string_view kind) {
  const int line = static_cast<int>(name.node->location().line());
  const auto [first, inserted] = first_lines.emplace(name.value, line);
  if (!inserted) {
    r.error(*name.node,
            fmt::format("duplicate {} name (first defined at line {})", kind, first->second));
  }
}

// Two instances with one VRID on one link would answer each other's advertisements.
void SchemaReader::claim_vrid(TableReader& r, const std::string& interface, const Field<std::int64_t>& vrid) {
  const auto [first, inserted] =
      vrid_users_.emplace(std::pair(interface, vrid.value), r.context());
  if (!inserted) {
    r.error(*vrid.node, fmt::format("vrid {} on interface '{}' is already used by {}", vrid.value,
                                    interface, first->second));
  }
}

std::vector<std::string> SchemaReader::names(const FirstLines& lines) {
  std::vector<std::string> out;
  for (const auto& [name, line] : lines) out.push_back(name);
  return out;
}

Config read_config(const toml::value& root, Diagnostics& diagnostics) {
  return SchemaReader(diagnostics).read(root);
}

}  // namespace floatd::conf
