#include "checks/spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace floatd::checks {

namespace {

constexpr char kEnvPath[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
static_assert(std::string_view(kEnvPath).substr(5) == kScriptPath);

// execve wants mutable char*; the strings outlive the call. Built before fork: the child
// may not allocate.
std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  out.reserve(argv.size() + 1);
  for (const std::string& arg : argv) out.push_back(const_cast<char*>(arg.c_str()));
  out.push_back(nullptr);
  return out;
}

// PATH first, then the caller's entries.
std::vector<char*> c_envp(const std::vector<std::string>& env) {
  std::vector<char*> out;
  out.reserve(env.size() + 2);
  out.push_back(const_cast<char*>(kEnvPath));
  for (const std::string& entry : env) out.push_back(const_cast<char*>(entry.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string errno_text(int error) { return std::generic_category().message(error); }

// RAII for the posix_spawn attribute objects.
struct SpawnAttr {
  posix_spawnattr_t attr;
  SpawnAttr() { posix_spawnattr_init(&attr); }
  ~SpawnAttr() { posix_spawnattr_destroy(&attr); }
  SpawnAttr(const SpawnAttr&) = delete;
  SpawnAttr& operator=(const SpawnAttr&) = delete;
};
struct FileActions {
  posix_spawn_file_actions_t actions;
  FileActions() { posix_spawn_file_actions_init(&actions); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
};

Spawned spawn_as_self(const std::string& path, char* const argv[], char* const envp[],
                      int output_fd) {
  SpawnAttr attr;
  sigset_t all;
  sigset_t none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setflags(&attr.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                           POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr.attr, 0);
  posix_spawnattr_setsigmask(&attr.attr, &none);
  posix_spawnattr_setsigdefault(&attr.attr, &all);

  // stdout/stderr first: should output_fd be 0, opening /dev/null on 0 must come after.
  FileActions fa;
  posix_spawn_file_actions_adddup2(&fa.actions, output_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa.actions, output_fd, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&fa.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addclosefrom_np(&fa.actions, 3);
  posix_spawn_file_actions_addchdir_np(&fa.actions, "/");

  pid_t pid = -1;
  const int error = posix_spawn(&pid, path.c_str(), &fa.actions, &attr.attr, argv, envp);
  if (error != 0) return {-1, fmt::format("cannot run {}: {}", path, errno_text(error))};
  return {pid, ""};
}

// Child side of the fork path: only async-signal-safe calls (another thread of ours may
// have held malloc's or a logger's lock at fork time), no allocation, no return.
[[noreturn]] void child_fail(const char* step) noexcept {
  char message[96] = "floatd: ";
  std::size_t len = std::strlen(message);
  const std::size_t step_len = std::strlen(step);
  std::memcpy(message + len, step, step_len);
  len += step_len;
  constexpr char kMiddle[] = " failed: errno ";
  std::memcpy(message + len, kMiddle, sizeof kMiddle - 1);
  len += sizeof kMiddle - 1;
  len = static_cast<std::size_t>(std::to_chars(message + len, message + sizeof message - 1,
                                               errno).ptr - message);
  message[len++] = '\n';
  [[maybe_unused]] const auto ignored = ::write(STDERR_FILENO, message, len);
  ::_exit(127);
}

// dup2 onto itself keeps FD_CLOEXEC set, so clear it explicitly in that case.
bool child_move(int fd, int target) noexcept {
  if (fd == target) return ::fcntl(fd, F_SETFD, 0) == 0;
  return ::dup2(fd, target) == target;
}

[[noreturn]] void child_exec(const char* path, char* const argv[], char* const envp[],
                             const ScriptUser& user, int output_fd) noexcept {
  ::setpgid(0, 0);
  struct sigaction dfl{};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // KILL/STOP: EINVAL

  if (!child_move(output_fd, STDOUT_FILENO) || !child_move(output_fd, STDERR_FILENO)) {
    ::_exit(127);  // no channel to report on
  }
  const int null = ::open("/dev/null", O_RDONLY);
  if (null < 0 || !child_move(null, STDIN_FILENO)) child_fail("open /dev/null");
  ::close_range(3, ~0U, 0);
  if (::chdir("/") != 0) child_fail("chdir /");

  // Groups first: once the uid is dropped we may no longer change them. glibc's set*id
  // broadcast to all threads is moot here: after fork the child has a single thread.
  if (::setgroups(user.groups.size(), user.groups.data()) != 0) child_fail("setgroups");
  if (::setgid(user.gid) != 0) child_fail("setgid");
  if (::setuid(user.uid) != 0) child_fail("setuid");

  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(path, argv, envp);
  child_fail("execve");
}

Spawned spawn_as_user(const std::string& path, char* const argv[], char* const envp[],
                      const ScriptUser& user, int output_fd) {
  // All signals blocked across fork, so none of our handlers (libev's) runs in the child
  // before it has reset the dispositions; the child unblocks just before execve.
  sigset_t all;
  sigset_t saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  const pid_t pid = ::fork();
  if (pid == 0) child_exec(path.c_str(), argv, envp, user, output_fd);
  const int error = errno;
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  if (pid < 0) return {-1, fmt::format("cannot run {}: fork: {}", path, errno_text(error))};
  // Also from this side, so kill(-pid) reaches the group even before the child has run
  // (EACCES once it has exec'd, which means it did it itself).
  ::setpgid(pid, pid);
  return {pid, ""};
}

}  // namespace

Spawned spawn_script(const std::string& path, const std::vector<std::string>& argv,
                     const std::vector<std::string>& env,
                     const std::optional<ScriptUser>& switch_to, int output_fd) {
  const std::vector<char*> args = c_argv(argv);
  const std::vector<char*> envp = c_envp(env);
  if (switch_to) return spawn_as_user(path, args.data(), envp.data(), *switch_to, output_fd);
  return spawn_as_self(path, args.data(), envp.data(), output_fd);
}

}  // namespace floatd::checks
