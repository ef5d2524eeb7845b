// Time units used everywhere in floatd. The core never reads a clock: "now" is a parameter.
#pragma once
#include <chrono>

namespace floatd {

using Duration = std::chrono::microseconds;
using TimePoint = std::chrono::steady_clock::time_point;
// VRRPv3 carries Max Advertise Interval in centiseconds (RFC 5798 section 5.2.7).
using Centiseconds = std::chrono::duration<std::int64_t, std::centi>;

}  // namespace floatd
