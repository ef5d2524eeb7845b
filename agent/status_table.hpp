// floatctl's human output: a compact, aligned table of the instances.
#pragma once
#include <string>
#include <vector>

#include "agent/control_protocol.hpp"

namespace floatd {

std::string format_status_table(const std::vector<control::InstanceStatus>& instances);

}  // namespace floatd
