// global.metrics_textfile: the `floatctl metrics` text written for prometheus-node-exporter's
// textfile collector, every 10 s and after each state change, atomically (a temporary file
// in the same directory, then rename), so the collector never reads half a file.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include <ev.h>

namespace spdlog {
class logger;
}

namespace floatd {

class MetricsTextfile {
 public:
  using Path = std::function<std::string()>;    // "" = off; read at each write (reload)
  using Render = std::function<std::string()>;  // the metrics text

  MetricsTextfile(struct ev_loop* loop, Path path, Render render);
  ~MetricsTextfile();
  MetricsTextfile(const MetricsTextfile&) = delete;
  MetricsTextfile& operator=(const MetricsTextfile&) = delete;

  void write_now();
  // After a state change: written once the loop has handled this round of events, so a
  // burst of changes (hundreds of instances starting) costs one write, not one each.
  void write_soon();

 private:
  static void on_timer(struct ev_loop* loop, ev_timer* watcher, int revents);

  struct ev_loop* loop_;
  Path path_;
  Render render_;
  std::shared_ptr<spdlog::logger> log_;
  std::string last_error_;  // logged once until it changes
  ev_timer timer_{};
  ev_timer soon_{};
};

// Writes `text` to `path` atomically with mode 0644; "" or why not.
std::string write_file_atomically(const std::string& path, const std::string& text);

}  // namespace floatd
