#include "checks/script_user.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <stdexcept>

#include <fmt/format.h>

namespace floatd::checks {

std::optional<ScriptUser> lookup_script_user(const std::string& name) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return std::nullopt;
  }
  ScriptUser user{found->pw_name, found->pw_uid, found->pw_gid, {}};
  int count = 16;
  for (;;) {
    user.groups.resize(static_cast<std::size_t>(count));
    const int previous = count;
    if (getgrouplist(found->pw_name, found->pw_gid, user.groups.data(), &count) >= 0) break;
    if (count <= previous) count = previous * 2;  // some NSS modules do not report the size
  }
  user.groups.resize(static_cast<std::size_t>(count));
  return user;
}

std::optional<ScriptUser> default_script_user() {
  if (auto user = lookup_script_user("floatd-script")) return user;
  return lookup_script_user("nobody");
}

ScriptUser current_identity() {
  ScriptUser self{"", geteuid(), getegid(), {}};
  const int count = getgroups(0, nullptr);
  if (count > 0) {
    self.groups.resize(static_cast<std::size_t>(count));
    self.groups.resize(static_cast<std::size_t>(getgroups(count, self.groups.data())));
  }
  if (self.groups.empty()) self.groups.push_back(self.gid);
  return self;
}

std::optional<ScriptUser> resolve_script_user(const std::string& configured) {
  if (geteuid() != 0) return std::nullopt;
  if (!configured.empty()) {
    auto user = lookup_script_user(configured);
    if (!user) throw std::runtime_error(fmt::format("script_user '{}' does not exist", configured));
    if (user->uid == 0) throw std::runtime_error("script_user must not be root");
    return user;
  }
  auto user = default_script_user();
  if (!user) {
    throw std::runtime_error(
        "no user to run check scripts and hooks as: create 'floatd-script' (or 'nobody')");
  }
  return user;
}

}  // namespace floatd::checks
