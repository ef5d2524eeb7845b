// floatd doctor: runs a helper program (nft, iptables-save, nmcli) and captures its output.
// No shell; a clean environment (PATH, LC_ALL=C so messages and formats are stable); stdin
// from /dev/null; its own process group; bounded in time (the group is killed at the
// timeout) and in output size.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace floatd::doctor {

struct CommandResult {
  bool ran = false;        // started and ended by itself (not killed at the timeout)
  int exit_code = -1;      // when ran and exited
  std::string out;         // stdout, at most kMaxOutput bytes
  std::string err;         // stderr, same bound
  std::string error;       // why it did not run or finish: "timed out after 5s", errno text
};

inline constexpr std::size_t kMaxOutput = 16 * 1024 * 1024;

// argv[0] is an absolute path (see find_program).
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// The program's path in /usr/sbin:/usr/bin:/sbin:/bin, nullopt when it is in none of them.
std::optional<std::string> find_program(const std::string& name);

// The first line of a command's stderr (or its error), for messages.
std::string first_error_line(const CommandResult& result);

}  // namespace floatd::doctor
