#include "agent/floatctl_tables.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace floatd {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::vector<std::string> row(const control::InstanceStatus& s) {
  const std::string master =
      s.master_address ? fmt::format("{} ({})", *s.master_address, s.master_priority) : "-";
  return {s.name,
          std::to_string(s.vrid),
          std::string(to_string(s.state)),
          std::to_string(s.priority),
          std::to_string(s.effective_priority),
          join(s.vips),
          master,
          s.since.empty() ? "-" : s.since,
          s.last_reason};
}

}  // namespace

std::string format_columns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows) {
    width.resize(std::max(width.size(), r.size()), 0);
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  }
  std::string out;
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i)
      out += i + 1 == r.size() ? r[i] : fmt::format("{:<{}}  ", r[i], width[i]);
    out += "\n";
  }
  return out;
}

std::string format_status_table(const std::vector<control::InstanceStatus>& instances) {
  std::vector<std::vector<std::string>> rows{
      {"INSTANCE", "VRID", "STATE", "PRIO", "EFF", "VIPS", "MASTER", "SINCE", "REASON"}};
  for (const auto& s : instances) rows.push_back(row(s));
  auto out = format_columns(rows);
  if (instances.empty()) out += "(no instances configured)\n";
  return out;
}

std::string format_peers_table(const nlohmann::json& result) {
  std::vector<std::vector<std::string>> rows{{"INTERFACE", "VRID", "ADDRESS", "PRIO", "INTERVAL",
                                              "VERSION", "CHECKSUM", "ADVERTS", "LAST SEEN"}};
  for (const auto& p : result.at("peers")) {
    rows.push_back({p.at("interface").get<std::string>(), std::to_string(p.at("vrid").get<int>()),
                    p.at("address").get<std::string>(), std::to_string(p.at("priority").get<int>()),
                    fmt::format("{}ms", p.at("interval_ms").get<long>()),
                    std::to_string(p.at("version").get<int>()), p.at("checksum").get<std::string>(),
                    std::to_string(p.at("adverts").get<std::uint64_t>()),
                    p.at("last_seen").get<std::string>()});
  }
  auto out = format_columns(rows);
  if (result.at("peers").empty()) out += "(no VRRP speaker heard yet)\n";
  return out;
}

std::string format_history_table(const nlohmann::json& result) {
  std::vector<std::vector<std::string>> rows{{"AT", "INSTANCE", "VRID", "FROM", "TO", "PRIO", "REASON"}};
  for (const auto& e : result.at("history")) {
    rows.push_back({e.at("at").get<std::string>(), e.at("instance").get<std::string>(),
                    std::to_string(e.at("vrid").get<int>()), e.at("from").get<std::string>(),
                    e.at("to").get<std::string>(), std::to_string(e.at("priority").get<int>()),
                    e.at("reason").get<std::string>()});
  }
  return format_columns(rows);
}

}  // namespace floatd
