#include "agent/status_table.hpp"

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

std::string format_status_table(const std::vector<control::InstanceStatus>& instances) {
  std::vector<std::vector<std::string>> rows{
      {"INSTANCE", "VRID", "STATE", "PRIO", "EFF", "VIPS", "MASTER", "SINCE", "REASON"}};
  for (const auto& s : instances) rows.push_back(row(s));
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      // The last column (the reason) is free text: no padding after it.
      line += i + 1 == r.size() ? r[i] : fmt::format("{:<{}}  ", r[i], width[i]);
    }
    out += line + "\n";
  }
  if (instances.empty()) out += "(no instances configured)\n";
  return out;
}

}  // namespace floatd
