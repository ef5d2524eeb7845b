// The files named by `track = [{ file = "/run/floatd/demote", weight = -10 }]`: the integer
// each holds (absent file, or anything but a regular file holding an integer: 0).
//
// Watched with libev's ev_stat (inotify on Linux), which reports a change within
// milliseconds, plus a re-read every second: ev_stat compares stat data with whole-second
// times, so a rewrite of the same size within the same second ("1" -> "0") is invisible to it.
//
//   ev_stat, 1 s timer -> TrackedFiles -> on_change(path) -> Tracking (re-evaluates)
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ev.h>

namespace floatd {

// The value a tracked file holds: its text as a decimal integer, surrounding whitespace
// ignored, clamped to +-kMaxTrackedFileValue (any larger value already moves the priority
// to a bound). nullopt for text that is not an integer.
inline constexpr int kMaxTrackedFileValue = 100000;
std::optional<int> parse_tracked_value(std::string_view text);

class TrackedFiles {
 public:
  // Called when a watched file's value (or why it has none) changed.
  using OnChange = std::function<void(const std::string& path)>;

  TrackedFiles(struct ev_loop* loop, OnChange on_change);
  ~TrackedFiles();
  TrackedFiles(const TrackedFiles&) = delete;
  TrackedFiles& operator=(const TrackedFiles&) = delete;

  // Starts watching `path` (read now); watching it again changes nothing.
  void watch(const std::string& path);
  // Only the paths in `keep` stay watched (after a reload).
  void retain(const std::vector<std::string>& keep);

  int value(const std::string& path) const;  // 0 for unknown paths
  // "file /x = 3", "file /x absent", "file /x = 0 (not an integer: 'abc')", for reasons.
  std::string describe(const std::string& path) const;

 private:
  struct Watched {
    TrackedFiles* owner;
    std::string path;
    int value = 0;
    std::string note;  // "absent" or a parse problem; "" for a good value
    ev_stat watcher{};
  };
  static void on_stat(struct ev_loop* loop, ev_stat* watcher, int revents);
  static void on_recheck(struct ev_loop* loop, ev_timer* watcher, int revents);
  static void read(Watched& watched);
  void reread(Watched& watched);

  struct ev_loop* loop_;
  OnChange on_change_;
  std::map<std::string, std::unique_ptr<Watched>> watched_;  // stable: watchers point in
  ev_timer recheck_{};  // runs while anything is watched
};

}  // namespace floatd
