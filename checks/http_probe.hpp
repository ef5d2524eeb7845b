// The built-in `http = "http://127.0.0.1/health"` probe: passes when a GET answers with the
// expected status within the timeout. libcurl's multi socket API drives the transfer from
// the caller's libev loop (ev_io per curl socket, one ev_timer for curl's timeouts), so it
// works on any loop and never blocks it. curl 7.88's descriptors (each connection, and the
// multi handle's wake-up socketpair for the probe's lifetime) are not close-on-exec: that
// is safe because every spawn in floatd closes descriptors 3 and up (checks/spawn.cpp).
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <curl/curl.h>
#include <ev.h>

#include "checks/probe.hpp"

namespace floatd::checks {

struct HttpProbeSpec {
  std::string url;          // http:// or https://; redirects are not followed
  int expect_status = 200;  // the only status that passes
  Duration timeout = std::chrono::milliseconds(500);  // the whole request, connect included
};

class HttpProbe final : public Probe {
 public:
  // Start-up/reload time: std::invalid_argument for a URL curl cannot parse or whose
  // scheme is not http/https.
  HttpProbe(struct ev_loop* loop, HttpProbeSpec spec);
  ~HttpProbe() override;  // cancels a request in flight; `done` is not called
  HttpProbe(const HttpProbe&) = delete;
  HttpProbe& operator=(const HttpProbe&) = delete;

  std::optional<ProbeResult> start(Done done) override;
  bool running() const override { return static_cast<bool>(done_); }

 private:
  struct EasyDeleter {
    void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
  };
  struct MultiDeleter {
    void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
  };
  struct SocketWatch {
    HttpProbe* owner;
    ev_io io{};
  };

  static int on_curl_socket(CURL* easy, curl_socket_t fd, int what, void* self, void*);
  static int on_curl_timer(CURLM* multi, long timeout_ms, void* self);
  static void on_io(struct ev_loop* loop, ev_io* watcher, int revents);
  static void on_timer(struct ev_loop* loop, ev_timer* watcher, int revents);
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);
  void drive(curl_socket_t fd, int events);
  ProbeResult finish(CURLcode code);

  struct ev_loop* loop_;
  HttpProbeSpec spec_;
  std::unique_ptr<CURLM, MultiDeleter> multi_;
  std::unique_ptr<CURL, EasyDeleter> easy_;
  std::map<curl_socket_t, std::unique_ptr<SocketWatch>> sockets_;  // stable ev_io addresses
  ev_timer timer_{};
  char curl_error_[CURL_ERROR_SIZE]{};
  std::string body_;  // the start of the body, for ProbeResult::output
  std::chrono::steady_clock::time_point started_;
  Done done_;
};

}  // namespace floatd::checks
