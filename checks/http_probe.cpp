#include "checks/http_probe.hpp"

#include <algorithm>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

namespace floatd::checks {

namespace {

constexpr std::size_t kBodyKept = 256;  // enough for a first line in a reason

// Once per process, before the first easy handle; never cleaned up (process lifetime).
void global_init() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) {
    throw std::runtime_error(fmt::format("curl_global_init: {}", curl_easy_strerror(code)));
  }
}

void validate_url(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), curl_url_cleanup);
  if (!parsed) throw std::bad_alloc();
  if (const CURLUcode code = curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0)) {
    throw std::invalid_argument(
        fmt::format("http wants a URL, got '{}': {}", url, curl_url_strerror(code)));
  }
  char* scheme = nullptr;
  curl_url_get(parsed.get(), CURLUPART_SCHEME, &scheme, 0);  // lower case
  const std::string text = scheme ? scheme : "";
  curl_free(scheme);
  if (text != "http" && text != "https") {
    throw std::invalid_argument(
        fmt::format("http wants an http:// or https:// URL, got '{}'", url));
  }
}

template <typename T>
void set(CURL* easy, CURLoption option, T value) {
  if (const CURLcode code = curl_easy_setopt(easy, option, value)) {
    throw std::runtime_error(fmt::format("curl_easy_setopt: {}", curl_easy_strerror(code)));
  }
}

}  // namespace

HttpProbe::HttpProbe(struct ev_loop* loop, HttpProbeSpec spec)
    : loop_(loop), spec_(std::move(spec)) {
  global_init();
  validate_url(spec_.url);
  multi_.reset(curl_multi_init());
  easy_.reset(curl_easy_init());
  if (!multi_ || !easy_) throw std::bad_alloc();
  curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETFUNCTION, on_curl_socket);
  curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_.get(), CURLMOPT_TIMERFUNCTION, on_curl_timer);
  curl_multi_setopt(multi_.get(), CURLMOPT_TIMERDATA, this);

  CURL* e = easy_.get();
  set(e, CURLOPT_URL, spec_.url.c_str());
  set(e, CURLOPT_PROTOCOLS_STR, "http,https");
  set(e, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is an answer, judged by its status
  set(e, CURLOPT_NOSIGNAL, 1L);
  // Whole milliseconds, at least 1: curl reads 0 as "no timeout".
  const auto timeout_ms = std::chrono::ceil<std::chrono::milliseconds>(spec_.timeout).count();
  set(e, CURLOPT_TIMEOUT_MS, std::max<long>(1, static_cast<long>(timeout_ms)));
  // The daemon's environment must not route health checks through a proxy.
  set(e, CURLOPT_PROXY, "");
  set(e, CURLOPT_NOPROXY, "*");
  // Every run opens a new connection: it tests accepting as well as answering, and no idle
  // socket lingers between runs.
  set(e, CURLOPT_FORBID_REUSE, 1L);
  set(e, CURLOPT_USERAGENT, "floatd-check");
  set(e, CURLOPT_WRITEFUNCTION, on_body);
  set(e, CURLOPT_WRITEDATA, this);
  set(e, CURLOPT_ERRORBUFFER, curl_error_);

  ev_init(&timer_, on_timer);
  timer_.data = this;
}

HttpProbe::~HttpProbe() {
  // Removing the handle aborts a request in flight; curl may still call on_curl_socket /
  // on_curl_timer while it closes sockets, so the members they use outlive these calls.
  done_ = nullptr;
  curl_multi_remove_handle(multi_.get(), easy_.get());
  easy_.reset();
  multi_.reset();
  for (auto& [fd, watch] : sockets_) ev_io_stop(loop_, &watch->io);
  ev_timer_stop(loop_, &timer_);
}

std::optional<ProbeResult> HttpProbe::start(Done done) {
  if (running()) {
    ProbeResult busy;
    busy.error = "the previous run is still in flight";
    return busy;
  }
  started_ = std::chrono::steady_clock::now();
  body_.clear();
  curl_error_[0] = '\0';
  ev_now_update(loop_);  // curl's first timeout (0 ms) is armed from here
  if (const CURLMcode code = curl_multi_add_handle(multi_.get(), easy_.get())) {
    ProbeResult failed;
    failed.error = fmt::format("curl_multi_add_handle: {}", curl_multi_strerror(code));
    return failed;
  }
  done_ = std::move(done);
  return std::nullopt;
}

int HttpProbe::on_curl_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
  auto* probe = static_cast<HttpProbe*>(self);
  auto found = probe->sockets_.find(fd);
  if (what == CURL_POLL_REMOVE) {
    if (found != probe->sockets_.end()) {
      ev_io_stop(probe->loop_, &found->second->io);
      probe->sockets_.erase(found);
    }
    return 0;
  }
  if (found == probe->sockets_.end()) {
    auto watch = std::make_unique<SocketWatch>(SocketWatch{probe});
    ev_init(&watch->io, on_io);
    watch->io.data = watch.get();
    found = probe->sockets_.emplace(fd, std::move(watch)).first;
  }
  ev_io& io = found->second->io;
  ev_io_stop(probe->loop_, &io);
  const int events = (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0);
  ev_io_set(&io, fd, events);
  ev_io_start(probe->loop_, &io);
  return 0;
}

int HttpProbe::on_curl_timer(CURLM*, long timeout_ms, void* self) {
  auto* probe = static_cast<HttpProbe*>(self);
  ev_timer_stop(probe->loop_, &probe->timer_);
  if (timeout_ms >= 0) {
    // 0 means "as soon as possible", from the loop: curl must not be re-entered from here.
    ev_timer_set(&probe->timer_, static_cast<double>(timeout_ms) / 1000.0, 0.);
    ev_timer_start(probe->loop_, &probe->timer_);
  }
  return 0;
}

void HttpProbe::on_io(struct ev_loop*, ev_io* watcher, int revents) {
  auto* watch = static_cast<SocketWatch*>(watcher->data);
  const int events = (revents & EV_READ ? CURL_CSELECT_IN : 0) |
                     (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);
  watch->owner->drive(watcher->fd, events);  // may free `watch`
}

void HttpProbe::on_timer(struct ev_loop*, ev_timer* watcher, int) {
  static_cast<HttpProbe*>(watcher->data)->drive(CURL_SOCKET_TIMEOUT, 0);
}

std::size_t HttpProbe::on_body(char* data, std::size_t size, std::size_t count, void* self) {
  auto* probe = static_cast<HttpProbe*>(self);
  const std::size_t bytes = size * count;
  // Keep the start of the body for the reason; the rest is read and dropped.
  if (probe->body_.size() < kBodyKept && probe->body_.find('\n') == std::string::npos) {
    probe->body_.append(data, std::min(bytes, kBodyKept - probe->body_.size()));
  }
  return bytes;
}

void HttpProbe::drive(curl_socket_t fd, int events) {
  int still_running = 0;
  // Errors here concern one socket; curl's own timeout still ends the transfer.
  curl_multi_socket_action(multi_.get(), fd, events, &still_running);
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    const ProbeResult result = finish(message->data.result);
    Done done = std::move(done_);
    done_ = nullptr;
    done(result);  // last: it may destroy this probe or start the next run
    return;
  }
}

ProbeResult HttpProbe::finish(CURLcode code) {
  long status = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  curl_multi_remove_handle(multi_.get(), easy_.get());
  ProbeResult result;
  result.duration = std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() -
                                                         started_);
  if (code == CURLE_OPERATION_TIMEDOUT) {
    result.timed_out = true;
    result.error = "timed out after " + format_duration(spec_.timeout);
  } else if (code != CURLE_OK) {
    result.error = curl_error_[0] != '\0' ? curl_error_ : curl_easy_strerror(code);
    // "Couldn't connect to server" alone hides refused vs unreachable.
    long os_errno = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_OS_ERRNO, &os_errno);
    if (code == CURLE_COULDNT_CONNECT && os_errno != 0) {
      result.error += " (" + std::generic_category().message(static_cast<int>(os_errno)) + ")";
    }
  } else {
    result.passed = status == spec_.expect_status;
    if (!result.passed) {
      result.error = fmt::format("status {}, expected {}", status, spec_.expect_status);
    }
    result.output = first_line(body_);
  }
  return result;
}

}  // namespace floatd::checks
