#include "checks/script_security.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "checks/spawn.hpp"

namespace floatd::checks {

namespace {

bool trusted(uid_t owner, uid_t self) { return owner == 0 || owner == self; }

bool in_groups(gid_t gid, const ScriptUser& user) {
  return gid == user.gid || std::find(user.groups.begin(), user.groups.end(), gid) !=
                                user.groups.end();
}

std::string errno_text(int error) { return std::generic_category().message(error); }

std::optional<PathFacts> stat_path(const std::string& path, int& error) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    error = errno;
    return std::nullopt;
  }
  return PathFacts{path, st.st_uid, st.st_gid, st.st_mode};
}

// "/usr/bin/x" -> "/", "/usr", "/usr/bin"
void add_parent_directories(const std::string& path, std::vector<std::string>& out) {
  for (std::size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string dir = slash == 0 ? "/" : path.substr(0, slash);
    if (std::find(out.begin(), out.end(), dir) == out.end()) out.push_back(std::move(dir));
  }
}

// A bare name is looked up in the same PATH the script gets.
std::optional<std::string> search_path(const std::string& name) {
  std::string_view dirs = kScriptPath;
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    std::string candidate = fmt::format("{}/{}", dirs.substr(0, colon), name);
    struct stat st{};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
      return candidate;
    }
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> script_insecurity(const PathFacts& file,
                                             std::span<const PathFacts> directories,
                                             const ScriptUser& runs_as, uid_t self) {
  if (!S_ISREG(file.mode)) return fmt::format("{} is not a regular file", file.path);
  if (!trusted(file.uid, self)) {
    return fmt::format("{} is owned by uid {}, not root", file.path, file.uid);
  }
  if (file.mode & S_IWGRP) return fmt::format("{} is writable by its group", file.path);
  if (file.mode & S_IWOTH) return fmt::format("{} is writable by others", file.path);

  for (const PathFacts& dir : directories) {
    if (!trusted(dir.uid, self)) {
      return fmt::format("directory {} is owned by uid {}, not root", dir.path, dir.uid);
    }
    // In a sticky directory (/tmp) nobody but their owners may rename or delete entries,
    // and those owners were checked to be trusted: writers there cannot swap our path.
    if (dir.mode & S_ISVTX) continue;
    if (dir.mode & S_IWOTH) return fmt::format("directory {} is writable by others", dir.path);
    if ((dir.mode & S_IWGRP) && in_groups(dir.gid, runs_as)) {
      return fmt::format("directory {} is writable by group {} of the script user", dir.path,
                         dir.gid);
    }
  }
  return std::nullopt;
}

ResolvedScript resolve_script(const std::string& argv0, const ScriptUser& runs_as) {
  std::string path;
  if (argv0.starts_with('/')) {
    path = argv0;
  } else if (argv0.find('/') != std::string::npos || argv0.empty()) {
    return {"", fmt::format("refusing to run '{}': a command is an absolute path or a name "
                            "found in {}", argv0, kScriptPath)};
  } else if (auto found = search_path(argv0)) {
    path = std::move(*found);
  } else {
    return {"", fmt::format("cannot run {}: not found in {}", argv0, kScriptPath)};
  }

  int error = 0;
  const auto file = stat_path(path, error);
  if (!file) return {"", fmt::format("cannot run {}: {}", path, errno_text(error))};

  std::vector<std::string> dir_paths;
  add_parent_directories(path, dir_paths);
  char real[PATH_MAX];
  if (::realpath(path.c_str(), real)) add_parent_directories(real, dir_paths);

  std::vector<PathFacts> dirs;
  for (const std::string& dir : dir_paths) {
    auto facts = stat_path(dir, error);
    if (!facts) return {"", fmt::format("cannot run {}: {}: {}", path, dir, errno_text(error))};
    dirs.push_back(std::move(*facts));
  }
  if (auto why = script_insecurity(*file, dirs, runs_as, ::geteuid())) {
    return {"", fmt::format("refusing to run {}: {}", path, *why)};
  }
  return {path, ""};
}

}  // namespace floatd::checks
