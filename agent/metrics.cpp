#include "agent/metrics.hpp"

#include <cstdint>
#include <functional>

#include <fmt/format.h>

namespace floatd {
namespace {

// Label values escape backslash, double quote and newline (exposition format rules).
std::string escape(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string instance_labels(const InstanceMetrics& i) {
  return fmt::format("instance=\"{}\",vrid=\"{}\"", escape(i.name), i.vrid);
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void per_instance(std::string& out, const std::vector<InstanceMetrics>& instances,
                  std::string_view name, std::string_view type, std::string_view help,
                  const std::function<std::uint64_t(const InstanceMetrics&)>& value) {
  header(out, name, type, help);
  for (const auto& i : instances) out += fmt::format("{}{{{}}} {}\n", name, instance_labels(i), value(i));
}

void check_metrics(std::string& out, const std::vector<CheckMetrics>& checks) {
  if (checks.empty()) return;
  header(out, "floatd_check_state", "gauge", "1 for the verdict of the check (after rise/fall), else 0.");
  for (const auto& c : checks) {
    for (auto h : {checks::Health::Unknown, checks::Health::Passing, checks::Health::Failing}) {
      out += fmt::format("floatd_check_state{{check=\"{}\",state=\"{}\"}} {}\n", escape(c.name),
                         checks::to_string(h), h == c.health ? 1 : 0);
    }
  }
  header(out, "floatd_check_runs_total", "counter", "Check runs, by result (a timeout is a failure).");
  for (const auto& c : checks) {
    out += fmt::format("floatd_check_runs_total{{check=\"{}\",result=\"passed\"}} {}\n",
                       escape(c.name), c.passed);
    out += fmt::format("floatd_check_runs_total{{check=\"{}\",result=\"failed\"}} {}\n",
                       escape(c.name), c.failed);
  }
  header(out, "floatd_check_timeouts_total", "counter", "Check runs killed at their timeout.");
  for (const auto& c : checks)
    out += fmt::format("floatd_check_timeouts_total{{check=\"{}\"}} {}\n", escape(c.name), c.timed_out);
  header(out, "floatd_check_duration_seconds_total", "counter",
         "Time spent in check runs (divide by the runs for the mean).");
  for (const auto& c : checks) {
    out += fmt::format("floatd_check_duration_seconds_total{{check=\"{}\"}} {:.6f}\n",
                       escape(c.name), std::chrono::duration<double>(c.total_duration).count());
  }
  header(out, "floatd_check_last_duration_seconds", "gauge", "Duration of the last run.");
  for (const auto& c : checks) {
    out += fmt::format("floatd_check_last_duration_seconds{{check=\"{}\"}} {:.6f}\n",
                       escape(c.name), std::chrono::duration<double>(c.last_duration).count());
  }
}

}  // namespace

std::string format_metrics(const std::vector<InstanceMetrics>& instances,
                           const std::vector<InterfaceMetrics>& interfaces,
                           const std::vector<CheckMetrics>& checks) {
  std::string out;
  header(out, "floatd_instance_state", "gauge", "1 for the state the instance is in, else 0.");
  for (const auto& i : instances) {
    for (State s : {State::Init, State::Backup, State::Master, State::Fault}) {
      out += fmt::format("floatd_instance_state{{{},state=\"{}\"}} {}\n", instance_labels(i),
                         to_string(s), s == i.state ? 1 : 0);
    }
  }
  per_instance(out, instances, "floatd_instance_priority", "gauge", "Configured priority.",
               [](const auto& i) { return i.priority; });
  per_instance(out, instances, "floatd_instance_effective_priority", "gauge",
               "Priority advertised now.", [](const auto& i) { return i.effective_priority; });
  per_instance(out, instances, "floatd_adverts_sent_total", "counter", "Adverts sent.",
               [](const auto& i) { return i.counters.adverts_sent; });
  per_instance(out, instances, "floatd_advert_send_errors_total", "counter",
               "Adverts the kernel refused to send.",
               [](const auto& i) { return i.counters.send_errors; });
  per_instance(out, instances, "floatd_adverts_received_total", "counter",
               "Valid adverts received for this instance.",
               [](const auto& i) { return i.counters.adverts_received; });
  per_instance(out, instances, "floatd_transitions_total", "counter", "State changes.",
               [](const auto& i) { return i.counters.transitions; });
  per_instance(out, instances, "floatd_master_transitions_total", "counter",
               "Times the instance became MASTER.",
               [](const auto& i) { return i.counters.became_master; });
  per_instance(out, instances, "floatd_vips_restored_total", "counter",
               "VIPs put back after someone else deleted them from a MASTER.",
               [](const auto& i) { return i.counters.vips_restored; });

  header(out, "floatd_adverts_dropped_total", "counter", "Received adverts dropped, by reason.");
  for (const auto& itf : interfaces) {
    for (std::size_t r = 0; r < packet::kDropReasonCount; ++r) {
      const auto reason = static_cast<packet::DropReason>(r);
      out += fmt::format("floatd_adverts_dropped_total{{interface=\"{}\",reason=\"{}\"}} {}\n",
                         escape(itf.name), packet::to_string(reason), itf.drops[reason]);
    }
  }
  header(out, "floatd_peers", "gauge", "VRRP speakers heard on the interface (all VRIDs).");
  for (const auto& itf : interfaces)
    out += fmt::format("floatd_peers{{interface=\"{}\"}} {}\n", escape(itf.name), itf.peers);
  check_metrics(out, checks);
  return out;
}

}  // namespace floatd
