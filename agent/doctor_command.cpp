#include "agent/doctor_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

#include <fmt/format.h>

#include "agent/unique_fd.hpp"

namespace floatd::doctor {
namespace {

constexpr const char* kPath = "/usr/sbin:/usr/bin:/sbin:/bin";

std::string errno_text(int error) { return std::generic_category().message(error); }

struct Pipe {
  UniqueFd read, write;
};

std::optional<Pipe> make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Reads both pipes until they close or the deadline passes; false on timeout.
bool drain(int out_fd, int err_fd, std::string& out, std::string& err,
           std::chrono::steady_clock::time_point deadline) {
  std::array<pollfd, 2> fds{{{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}}};
  std::array<std::string*, 2> sinks{&out, &err};
  int open = 2;
  while (open > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    const int n = poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // the deadline (or poll failing): the caller kills the child
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[65536];
      const ssize_t got = read(fds[i].fd, buffer, sizeof buffer);
      if (got > 0) {
        if (sinks[i]->size() < kMaxOutput) sinks[i]->append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;  // closed (or broken): poll ignores negative fds
        --open;
      }
    }
  }
  return true;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout) {
  CommandResult result;
  auto out = make_pipe();
  auto err = make_pipe();
  if (!out || !err) {
    result.error = "pipe: " + errno_text(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out->write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err->write.get(), 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string path_env = std::string("PATH=") + kPath;
  char lc_all[] = "LC_ALL=C";
  char* envp[] = {path_env.data(), lc_all, nullptr};
  // Its own process group, so a timeout kills whatever it started as well.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0].c_str(), &actions, &attr, args.data(), envp);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  out->write.reset();  // the child holds the write ends now: EOF comes when it exits
  err->write.reset();
  if (rc != 0) {
    result.error = fmt::format("{}: {}", argv[0], errno_text(rc));
    return result;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool finished = drain(out->read.get(), err->read.get(), result.out, result.err, deadline);
  int status = 0;
  // A child may close its output and go on running: it too has until the deadline.
  while (finished && waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      finished = false;
      break;
    }
    usleep(10'000);
  }
  if (!finished) {
    kill(-pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (!finished) {
    result.error = fmt::format("{} timed out after {}ms", argv[0], timeout.count());
  } else if (WIFEXITED(status)) {
    result.ran = true;
    result.exit_code = WEXITSTATUS(status);
  } else {
    result.error = fmt::format("{} was killed by signal {}", argv[0], WTERMSIG(status));
  }
  return result;
}

std::optional<std::string> find_program(const std::string& name) {
  std::string_view dirs = kPath;
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const std::string candidate = fmt::format("{}/{}", dirs.substr(0, colon), name);
    struct stat st{};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
      return candidate;
    }
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
  }
  return std::nullopt;
}

std::string first_error_line(const CommandResult& result) {
  std::string text = !result.error.empty() ? result.error : result.err;
  if (const auto nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  if (text.empty()) text = fmt::format("exit status {}", result.exit_code);
  return text;
}

}  // namespace floatd::doctor
