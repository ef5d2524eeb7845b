// The control socket server on a real Unix socket in a temporary directory (no root needed):
// a client thread talks to it while the test runs the loop.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <future>
#include <thread>

#include "agent/control_server.hpp"
#include "agent/unique_fd.hpp"

using namespace floatd;
using namespace std::chrono_literals;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/floatd-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// Connects, sends `request` (as given), returns what came back until EOF (bounded).
std::string client(const std::string& path, const std::string& request) {
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const timeval timeout{2, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, path.size());
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) return "!connect";
  if (!request.empty()) send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[256];
  for (ssize_t n; (n = read(fd.get(), buf, sizeof buf)) > 0;) out.append(buf, n);
  return out;
}

// Runs the loop until the future is ready (bounded by 3 s).
template <class T>
T serve_until(struct ev_loop* loop, std::future<T>& f) {
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (f.wait_for(0s) != std::future_status::ready && std::chrono::steady_clock::now() < deadline)
    ev_run(loop, EVRUN_NOWAIT);
  REQUIRE(f.wait_for(0s) == std::future_status::ready);
  return f.get();
}

struct Fixture {
  TempDir dir;
  std::string path = (dir.path / "sub" / "floatd.sock").string();
  struct ev_loop* loop = ev_loop_new(EVFLAG_AUTO);
  std::vector<std::string> requests;
  std::unique_ptr<ControlServer> server = std::make_unique<ControlServer>(
      loop, path, [this](std::string_view r) {
        requests.emplace_back(r);
        return ControlServer::Reply{"echo:" + std::string(r), r == "watch"};
      });
  ~Fixture() {
    server.reset();
    ev_loop_destroy(loop);
  }
};

}  // namespace

TEST_CASE("control server: one request line in, one response line out, socket mode 0660") {
  Fixture f;
  struct stat st {};
  REQUIRE(stat(f.path.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0660);
  auto answer = std::async(std::launch::async, client, f.path, std::string("hello\nignored"));
  CHECK(serve_until(f.loop, answer) == "echo:hello\n");
  CHECK(f.requests == std::vector<std::string>{"hello"});
}

TEST_CASE("control server: a request split across writes is assembled") {
  Fixture f;
  auto answer = std::async(std::launch::async, [&] {
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    f.path.copy(addr.sun_path, f.path.size());
    connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    send(fd.get(), "sta", 3, MSG_NOSIGNAL);
    std::this_thread::sleep_for(50ms);  // a genuinely separate segment
    send(fd.get(), "tus\n", 4, MSG_NOSIGNAL);
    char buf[64] = {};
    const timeval timeout{2, 0};
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return std::string(buf, std::max<ssize_t>(0, read(fd.get(), buf, sizeof buf)));
  });
  CHECK(serve_until(f.loop, answer) == "echo:status\n");
}

TEST_CASE("control server: an over-long request gets an error, the handler never sees it") {
  Fixture f;
  auto answer = std::async(std::launch::async, client, f.path, std::string(8000, 'x'));
  CHECK(serve_until(f.loop, answer).find("request too long") != std::string::npos);
  CHECK(f.requests.empty());
}

TEST_CASE("control server: a client that never finishes its line is dropped after the timeout") {
  Fixture f;
  auto answer = std::async(std::launch::async, client, f.path, std::string("no newline"));
  CHECK(serve_until(f.loop, answer).empty());
  CHECK(f.requests.empty());
}

TEST_CASE("control server: a second server on a live socket is refused, a stale file is replaced") {
  Fixture f;
  CHECK_THROWS_WITH_AS(ControlServer(f.loop, f.path, [](std::string_view) { return ControlServer::Reply{}; }),
                       doctest::Contains("already listening"), std::runtime_error);
  f.server.reset();  // unlinks
  CHECK_FALSE(std::filesystem::exists(f.path));
  // A socket file nobody listens on (a crashed floatd) is taken over.
  {
    UniqueFd stale(socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    f.path.copy(addr.sun_path, f.path.size());
    REQUIRE(bind(stale.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  }
  CHECK_NOTHROW(ControlServer(f.loop, f.path, [](std::string_view) { return ControlServer::Reply{}; }));
}

TEST_CASE("control server: a subscriber gets the reply, then every broadcast line, in order") {
  Fixture f;
  auto lines = std::async(std::launch::async, [&] {
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const timeval timeout{2, 0};
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    f.path.copy(addr.sun_path, f.path.size());
    connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    send(fd.get(), "watch\n", 6, MSG_NOSIGNAL);
    std::string out;
    char buf[256];
    while (std::count(out.begin(), out.end(), '\n') < 3) {
      const ssize_t n = read(fd.get(), buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, n);
    }
    return out;  // closing the socket ends the subscription
  });
  // Broadcast once the subscription exists, twice, while serving.
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  int sent = 0;
  while (lines.wait_for(0s) != std::future_status::ready &&
         std::chrono::steady_clock::now() < deadline) {
    ev_run(f.loop, EVRUN_NOWAIT);
    if (sent < 2 && f.requests.size() == 1) f.server->broadcast("event " + std::to_string(++sent));
  }
  REQUIRE(lines.wait_for(0s) == std::future_status::ready);
  CHECK(lines.get() == "echo:watch\nevent 1\nevent 2\n");
}

TEST_CASE("control server: broadcast without subscribers and to a plain request does nothing") {
  Fixture f;
  f.server->broadcast("nobody listens");
  auto answer = std::async(std::launch::async, client, f.path, std::string("status\n"));
  CHECK(serve_until(f.loop, answer) == "echo:status\n");
}
