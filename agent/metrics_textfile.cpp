#include "agent/metrics_textfile.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "agent/logging.hpp"
#include "agent/unique_fd.hpp"

namespace floatd {

namespace {
constexpr double kIntervalSeconds = 10.;
}

std::string write_file_atomically(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    UniqueFd fd(open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) return temporary + ": " + std::strerror(errno);
    fchmod(fd.get(), 0644);  // readable by the collector whatever our umask
    if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      const std::string error = temporary + ": " + std::strerror(errno);
      unlink(temporary.c_str());
      return error;
    }
  }
  if (rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string error = path + ": " + std::strerror(errno);
    unlink(temporary.c_str());
    return error;
  }
  return "";
}

MetricsTextfile::MetricsTextfile(struct ev_loop* loop, Path path, Render render)
    : loop_(loop), path_(std::move(path)), render_(std::move(render)), log_(subsystem_logger("floatd")) {
  ev_timer_init(&timer_, on_timer, kIntervalSeconds, kIntervalSeconds);
  timer_.data = this;
  ev_timer_start(loop_, &timer_);
  ev_timer_init(&soon_, on_timer, 0., 0.);
  soon_.data = this;
}

MetricsTextfile::~MetricsTextfile() {
  ev_timer_stop(loop_, &timer_);
  ev_timer_stop(loop_, &soon_);
}

void MetricsTextfile::write_soon() {
  if (!ev_is_active(&soon_)) ev_timer_start(loop_, &soon_);
}

void MetricsTextfile::write_now() {
  const auto path = path_();
  if (path.empty()) return;
  auto error = write_file_atomically(path, render_());
  if (error == last_error_) return;
  if (error.empty()) {
    log_->info("metrics_textfile: writing {} again", path);
  } else {
    log_->warn("metrics_textfile: cannot write: {}", error);
  }
  last_error_ = std::move(error);
}

void MetricsTextfile::on_timer(struct ev_loop*, ev_timer* watcher, int) {
  static_cast<MetricsTextfile*>(watcher->data)->write_now();
}

}  // namespace floatd
