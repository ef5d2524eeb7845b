#include "agent/tracked_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "agent/unique_fd.hpp"

namespace floatd {
namespace {

// More than an integer needs; a longer file is not one.
constexpr std::size_t kMaxContent = 64;
// libev's fallback poll, for changes inotify cannot report (e.g. some network file systems),
// and our re-read for the changes ev_stat cannot tell apart (see the header).
constexpr ev_tstamp kPollInterval = 1.0;

struct Content {
  std::optional<std::string> text;  // nullopt: see note
  std::string note;
};

// Never blocks: O_NONBLOCK (a FIFO would wait for a writer) and regular files only.
Content read_content(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) return {std::nullopt, errno == ENOENT ? "absent" : std::strerror(errno)};
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return {std::nullopt, "not a regular file"};
  }
  std::array<char, kMaxContent + 1> buffer{};
  const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
  if (n < 0) return {std::nullopt, std::strerror(errno)};
  if (static_cast<std::size_t>(n) > kMaxContent) return {std::nullopt, "too long for an integer"};
  return {std::string(buffer.data(), static_cast<std::size_t>(n)), ""};
}

std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) out += (c >= ' ' && c < 0x7f) ? c : '?';
  return out;
}

}  // namespace

std::optional<int> parse_tracked_value(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  if (text.starts_with('+')) text.remove_prefix(1);
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || end != text.data() + text.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    return text.starts_with('-') ? -kMaxTrackedFileValue : kMaxTrackedFileValue;
  }
  return static_cast<int>(
      std::clamp<long long>(value, -kMaxTrackedFileValue, kMaxTrackedFileValue));
}

TrackedFiles::TrackedFiles(struct ev_loop* loop, OnChange on_change)
    : loop_(loop), on_change_(std::move(on_change)) {
  ev_timer_init(&recheck_, on_recheck, kPollInterval, kPollInterval);
  recheck_.data = this;
}

TrackedFiles::~TrackedFiles() {
  ev_timer_stop(loop_, &recheck_);
  for (auto& [path, watched] : watched_) ev_stat_stop(loop_, &watched->watcher);
}

void TrackedFiles::watch(const std::string& path) {
  if (watched_.contains(path)) return;
  auto watched = std::make_unique<Watched>();
  watched->owner = this;
  watched->path = path;
  read(*watched);
  ev_stat_init(&watched->watcher, on_stat, watched->path.c_str(), kPollInterval);
  watched->watcher.data = watched.get();
  ev_stat_start(loop_, &watched->watcher);
  watched_.emplace(path, std::move(watched));
  ev_timer_start(loop_, &recheck_);  // no-op when already running
}

void TrackedFiles::retain(const std::vector<std::string>& keep) {
  for (auto it = watched_.begin(); it != watched_.end();) {
    if (std::find(keep.begin(), keep.end(), it->first) != keep.end()) {
      ++it;
      continue;
    }
    ev_stat_stop(loop_, &it->second->watcher);
    it = watched_.erase(it);
  }
  if (watched_.empty()) ev_timer_stop(loop_, &recheck_);
}

void TrackedFiles::read(Watched& watched) {
  auto content = read_content(watched.path);
  watched.value = 0;
  watched.note = std::move(content.note);
  if (!content.text) return;
  if (auto value = parse_tracked_value(*content.text)) {
    watched.value = *value;
  } else {
    watched.note = fmt::format("not an integer: '{}'", printable(*content.text));
  }
}

void TrackedFiles::on_stat(struct ev_loop*, ev_stat* watcher, int) {
  auto& watched = *static_cast<Watched*>(watcher->data);
  watched.owner->reread(watched);
}

void TrackedFiles::on_recheck(struct ev_loop*, ev_timer* watcher, int) {
  auto& self = *static_cast<TrackedFiles*>(watcher->data);
  // Paths first: on_change_ may change which files are watched.
  std::vector<std::string> paths;
  for (const auto& [path, watched] : self.watched_) paths.push_back(path);
  for (const auto& path : paths) {
    if (auto found = self.watched_.find(path); found != self.watched_.end()) {
      self.reread(*found->second);
    }
  }
}

void TrackedFiles::reread(Watched& watched) {
  const auto before = std::pair(watched.value, watched.note);
  read(watched);
  if (std::pair(watched.value, watched.note) != before) on_change_(watched.path);
}

int TrackedFiles::value(const std::string& path) const {
  const auto found = watched_.find(path);
  return found == watched_.end() ? 0 : found->second->value;
}

std::string TrackedFiles::describe(const std::string& path) const {
  const auto found = watched_.find(path);
  if (found == watched_.end()) return "file " + path + " not watched";
  const auto& w = *found->second;
  if (w.note == "absent") return "file " + path + " absent";
  if (!w.note.empty()) return fmt::format("file {} = 0 ({})", path, w.note);
  return fmt::format("file {} = {}", path, w.value);
}

}  // namespace floatd
