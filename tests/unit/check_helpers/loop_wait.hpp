// Helpers for the checks/ tests: run a libev loop until a condition holds or a deadline
// passes (no sleep-and-hope), and look at our children and descriptors through /proc.
#pragma once
#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <ev.h>

namespace floatd::checks::testing {

// Runs `loop` one iteration at a time until `done` holds; false after `bound`. A 20 ms tick
// keeps EVRUN_ONCE from waiting on nothing.
inline bool run_until(struct ev_loop* loop, const std::function<bool()>& done,
                      std::chrono::milliseconds bound = std::chrono::seconds(5)) {
  ev_timer tick;
  ev_timer_init(&tick, [](struct ev_loop*, ev_timer*, int) {}, 0.02, 0.02);
  ev_timer_start(loop, &tick);
  const auto deadline = std::chrono::steady_clock::now() + bound;
  bool ok = true;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      ok = false;
      break;
    }
    ev_run(loop, EVRUN_ONCE);
  }
  ev_timer_stop(loop, &tick);
  return ok;
}

// State letter of /proc/PID/stat ('Z' zombie, 'S' sleeping...), '\0' when pid is gone.
inline char process_state(pid_t pid, pid_t* ppid = nullptr) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  if (paren == std::string::npos) return '\0';
  std::istringstream rest(text.substr(paren + 1));
  char state = '\0';
  pid_t parent = 0;
  rest >> state >> parent;
  if (ppid) *ppid = parent;
  return state;
}

// Our children in state Z: processes nobody reaped.
inline int zombie_children() {
  int zombies = 0;
  DIR* proc = opendir("/proc");
  while (dirent* entry = readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    pid_t parent = 0;
    if (pid > 0 && process_state(pid, &parent) == 'Z' && parent == getpid()) ++zombies;
  }
  closedir(proc);
  return zombies;
}

// A live child of ours running `comm`, or 0.
inline pid_t child_named(const std::string& comm) {
  pid_t found = 0;
  DIR* proc = opendir("/proc");
  while (dirent* entry = readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    pid_t parent = 0;
    if (pid <= 0) continue;
    const char state = process_state(pid, &parent);
    if (parent != getpid() || state == 'Z' || state == '\0') continue;
    std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    std::getline(in, name);
    if (name == comm) found = pid;
  }
  closedir(proc);
  return found;
}

inline int open_descriptors() {
  int count = 0;
  DIR* fds = opendir("/proc/self/fd");
  while (dirent* entry = readdir(fds)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(fds);
  return count;
}

}  // namespace floatd::checks::testing
