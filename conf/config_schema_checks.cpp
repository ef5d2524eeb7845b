// [[check]] sections and the `track` list of an instance (see schema_reader.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "checks/tcp_target.hpp"
#include "conf/duration.hpp"
#include "conf/schema_reader.hpp"

namespace floatd::conf {
namespace {

constexpr IntRange kRiseFallRange{1, 100};
constexpr IntRange kHttpStatusRange{100, 599};
// Wide enough to move any priority 1..255 to any other.
constexpr IntRange kWeightRange{-254, 254};
constexpr DurationRange kCheckIntervalRange{std::chrono::milliseconds(10), std::nullopt};
constexpr DurationRange kAnyDuration{};

constexpr std::array<std::string_view, 3> kProbeKeys{"command", "tcp", "http"};
constexpr std::array<std::string_view, 3> kTrackSubjects{"check", "interface", "file"};

constexpr std::string_view kTrackExample =
    R"(e.g. track = [{ check = "web", weight = -100 }, { interface = "eth1" }])";

// The keys of `keys` present in the table, in that order.
template <std::size_t N>
std::vector<std::string_view> present(const TableReader& r,
                                      const std::array<std::string_view, N>& keys) {
  std::vector<std::string_view> found;
  for (auto key : keys) {
    if (r.contains(key)) found.push_back(key);
  }
  return found;
}

bool valid_http_url(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.starts_with(scheme)) return url.size() > scheme.size() && url[scheme.size()] != '/';
  }
  return false;
}

}  // namespace

CheckConfig SchemaReader::read_check(const toml::value& table, std::size_t number) {
  TableReader r(table, fmt::format("check #{}", number), diagnostics_);
  CheckConfig check;
  if (auto name = r.string("name", Need::kRequired)) {
    if (name->value.empty()) {
      r.error(*name->node, "name must not be empty");
    } else {
      r.set_context(fmt::format("check '{}'", name->value));
      check.name = name->value;
      claim_name(check_lines_, r, *name, "check");
    }
  }
  read_probe(r, check);

  const auto interval = r.duration("interval", kCheckIntervalRange);
  if (interval) check.interval = interval->value;
  // A rejected interval is reported already; comparing against the default would add noise.
  const bool interval_valid = interval || !r.contains("interval");
  if (auto timeout = r.duration("timeout", kAnyDuration)) {
    if (timeout->value == Duration::zero()) {
      r.error(*timeout->node, "timeout must be greater than 0s");
    } else if (interval_valid && timeout->value > check.interval) {
      r.error(*timeout->node,
              fmt::format("timeout {} exceeds interval {}", format_duration(timeout->value),
                          format_duration(check.interval)));
    } else {
      check.timeout = timeout->value;
    }
  }
  // The default timeout shrinks to fit a short interval, so interval = "100ms" alone is valid.
  if (!r.contains("timeout")) check.timeout = std::min(check.timeout, check.interval);
  if (auto rise = r.integer("rise", kRiseFallRange)) check.rise = static_cast<int>(rise->value);
  if (auto fall = r.integer("fall", kRiseFallRange)) check.fall = static_cast<int>(fall->value);
  r.report_unknown_keys();
  return check;
}

// What the check runs: exactly one of command (a script), tcp (a connect) and http (a GET).
void SchemaReader::read_probe(TableReader& r, CheckConfig& check) {
  const auto probes = present(r, kProbeKeys);
  if (probes.size() != 1) {
    r.table_error(probes.empty()
                      ? std::string("needs one of command, tcp or http (e.g. tcp = \"127.0.0.1:80\")")
                      : fmt::format("has both {} and {}; a check runs exactly one of command, tcp "
                                    "or http",
                                    probes[0], probes[1]));
  }
  if (auto command = r.array("command", Need::kOptional)) {
    check.command = read_argv(r, *command, "command");
  }
  if (auto tcp = r.string("tcp")) {
    if (!checks::parse_tcp_target(tcp->value)) {
      r.error(*tcp->node, fmt::format("tcp '{}' is not ADDRESS:PORT with a numeric address "
                                      "(e.g. \"127.0.0.1:80\" or \"[::1]:80\")",
                                      tcp->value));
    } else {
      check.tcp = tcp->value;
    }
  }
  if (auto http = r.string("http")) {
    if (!valid_http_url(http->value)) {
      r.error(*http->node, fmt::format("http '{}' is not an http:// or https:// URL (e.g. "
                                       "\"http://127.0.0.1/health\")",
                                       http->value));
    } else {
      check.http = http->value;
    }
  }
  if (auto status = r.integer("expect_status", kHttpStatusRange)) {
    if (!r.contains("http")) r.error(*status->node, "expect_status applies only to an http check");
    check.expect_status = static_cast<int>(status->value);
  }
}

std::vector<std::string> SchemaReader::read_argv(TableReader& r,
                                                 const Field<const toml::array*>& argv,
                                                 std::string_view key) {
  const toml::array& entries = *argv.value;
  std::vector<std::string> out;
  if (entries.empty()) {
    r.error(*argv.node, fmt::format("{} must not be empty (it is the argv to run, e.g. "
                                    "[\"/usr/bin/curl\", \"-fsS\", \"http://127.0.0.1/\"])",
                                    key));
    return out;
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto arg = r.string_value(entries[i], fmt::format("{} entry {}", key, i + 1));
    if (!arg) continue;
    if (i == 0 && !arg->starts_with('/')) {
      // No shell and no PATH search: the program is named exactly.
      r.error(entries[i], fmt::format("{} '{}' must start with an absolute path", key, *arg));
    }
    out.push_back(std::move(*arg));
  }
  return out;
}

void SchemaReader::read_tracks(TableReader& r, InstanceConfig& instance) {
  const auto entries = r.tables("track", kTrackExample);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    TableReader t(*entries[i], fmt::format("{}: track #{}", r.context(), i + 1), diagnostics_);
    TrackConfig track;
    if (auto weight = t.integer("weight", kWeightRange)) {
      track.weight = static_cast<int>(weight->value);
    }
    if (read_track_subject(t, r, instance, track)) instance.track.push_back(track);
    t.report_unknown_keys();
  }
}

// One of check (a [[check]] name), interface or file; the same subject only once per instance.
// Unknown checks are reported through the instance's reader: "instance 'web': track references
// unknown check".
bool SchemaReader::read_track_subject(TableReader& t, TableReader& instance_reader,
                                      const InstanceConfig& instance, TrackConfig& track) {
  const auto subjects = present(t, kTrackSubjects);
  if (subjects.size() != 1) {
    t.table_error(subjects.empty()
                      ? fmt::format("needs one of check, interface or file ({})", kTrackExample)
                      : fmt::format("has both {} and {}; a track follows one subject", subjects[0],
                                    subjects[1]));
  }
  const auto check = t.string("check");
  const auto interface = t.string("interface");
  const auto file = t.string("file");
  if (subjects.size() != 1) return false;
  if (check) {
    if (!check_lines_.contains(check->value)) {
      instance_reader.error(*check->node,
                            fmt::format("track references unknown check '{}'{}", check->value,
                                        did_you_mean(check->value, names(check_lines_))));
      return false;
    }
    track.check = check->value;
  } else if (interface) {
    if (!valid_interface_name(interface->value)) {
      t.error(*interface->node,
              fmt::format("interface '{}' is not a valid interface name", interface->value));
      return false;
    }
    track.interface = interface->value;
  } else if (file) {
    if (!file->value.starts_with('/')) {
      t.error(*file->node, fmt::format("file '{}' must be an absolute path", file->value));
      return false;
    }
    track.file = file->value;
  } else {
    return false;  // the subject had the wrong type: reported by the reader
  }
  const auto same = [&](const TrackConfig& other) {
    return other.check == track.check && other.interface == track.interface &&
           other.file == track.file;
  };
  if (std::ranges::any_of(instance.track, same)) {
    const auto& node = check ? *check->node : interface ? *interface->node : *file->node;
    instance_reader.error(node, fmt::format("track lists {} '{}' twice", subjects[0],
                                            check ? track.check : interface ? track.interface
                                                                            : track.file));
    return false;
  }
  return true;
}

}  // namespace floatd::conf
