// The last state changes of every instance, newest last: `floatctl history`.
#pragma once
#include <chrono>
#include <cstddef>
#include <deque>

#include "agent/logging.hpp"

namespace floatd {

struct HistoryEntry {
  std::chrono::system_clock::time_point at;
  StateChange change;
};

class TransitionHistory {
 public:
  static constexpr std::size_t kCapacity = 256;

  void add(HistoryEntry entry) {
    if (entries_.size() == kCapacity) entries_.pop_front();
    entries_.push_back(std::move(entry));
  }
  const std::deque<HistoryEntry>& entries() const { return entries_; }

 private:
  std::deque<HistoryEntry> entries_;
};

}  // namespace floatd
