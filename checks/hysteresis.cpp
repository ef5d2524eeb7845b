#include "checks/hysteresis.hpp"

#include <stdexcept>

namespace floatd::checks {

std::string_view to_string(Health health) {
  switch (health) {
    case Health::Unknown: return "unknown";
    case Health::Passing: return "passing";
    case Health::Failing: return "failing";
  }
  return "?";
}

Hysteresis::Hysteresis(int rise, int fall, Health initial)
    : rise_(rise), fall_(fall), health_(initial) {
  if (rise < 1 || fall < 1) throw std::invalid_argument("rise and fall must be at least 1");
  if (initial == Health::Passing) successes_ = rise;
  if (initial == Health::Failing) failures_ = fall;
}

bool Hysteresis::record(bool success) {
  const Health before = health_;
  if (success) {
    failures_ = 0;
    if (successes_ < rise_) ++successes_;
    if (successes_ == rise_) health_ = Health::Passing;
  } else {
    successes_ = 0;
    if (failures_ < fall_) ++failures_;
    // From Unknown one failure settles it (see the header); from Passing it takes `fall`.
    if (failures_ == fall_ || health_ == Health::Unknown) health_ = Health::Failing;
  }
  return health_ != before;
}

}  // namespace floatd::checks
