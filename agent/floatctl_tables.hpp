// floatctl's human output: compact, aligned tables (the free-text column last).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/control_protocol.hpp"

namespace floatd {

// rows[0] is the header. Columns are padded to their widest cell, except the last one.
std::string format_columns(const std::vector<std::vector<std::string>>& rows);

std::string format_status_table(const std::vector<control::InstanceStatus>& instances);
// The "result" of a peers / history reply.
std::string format_peers_table(const nlohmann::json& result);
std::string format_history_table(const nlohmann::json& result);

}  // namespace floatd
