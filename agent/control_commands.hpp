// What floatd answers on its control socket: one request line in, one response line out.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/control_protocol.hpp"
#include "agent/instance_runner.hpp"

namespace floatd {

control::InstanceStatus instance_status(const InstanceRunner& runner);

std::string handle_control_request(std::string_view line,
                                   const std::vector<std::unique_ptr<InstanceRunner>>& instances);

}  // namespace floatd
