#include "checks/effective_priority.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

namespace floatd::checks {

namespace {

constexpr std::int64_t kOwner = 255;
constexpr std::int64_t kMin = 1;
constexpr std::int64_t kMax = 254;

struct Tally {
  std::int64_t delta = 0;
  bool fault = false;
  std::string reason;

  void note(const std::string& text) {
    if (!reason.empty()) reason += ", ";
    reason += text;
  }
  void add(const StatusTracker& t) {
    const char* status = t.failing ? "failing" : "passing";
    if (t.weight == 0) {
      if (!t.failing) return;
      fault = true;
      note(fmt::format("{} failing (fault)", t.subject));
    } else if ((t.weight < 0) == t.failing) {  // negative while failing, positive while passing
      delta += t.weight;
      note(fmt::format("{} {} ({:+d})", t.subject, status, t.weight));
    }
  }
  void add(const ValueTracker& t) {
    if (t.value == 0) return;
    if (t.weight == 0) {
      fault = true;
      note(fmt::format("{} = {} (fault)", t.subject, t.value));
      return;
    }
    const std::int64_t contribution = static_cast<std::int64_t>(t.value) * t.weight;
    delta += contribution;
    note(fmt::format("{} = {} ({:+d})", t.subject, t.value, contribution));
  }
};

}  // namespace

EffectivePriority effective_priority(std::uint8_t base, std::span<const Tracker> trackers) {
  Tally tally;
  for (const Tracker& tracker : trackers) {
    std::visit([&](const auto& t) { tally.add(t); }, tracker);
  }

  EffectivePriority result;
  result.fault = tally.fault;
  result.reason = std::move(tally.reason);
  if (base == kOwner) {
    result.priority = base;
    if (tally.delta != 0) result.reason += "; weights ignored for the address owner";
    return result;
  }
  const std::int64_t wanted = base + tally.delta;
  const std::int64_t clamped = std::clamp(wanted, kMin, kMax);
  if (clamped != wanted) result.reason += fmt::format("; clamped to {}", clamped);
  result.priority = static_cast<std::uint8_t>(clamped);
  return result;
}

}  // namespace floatd::checks
