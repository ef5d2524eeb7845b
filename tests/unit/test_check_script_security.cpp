// Script security: the pure rules on stat data, then resolve_script on real files.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "checks/script_security.hpp"

using namespace floatd::checks;

namespace {

constexpr uid_t kSelf = 0;  // floatd as root
constexpr uid_t kAlice = 1000;
const ScriptUser kNobody{"nobody", 65534, 65534, {65534, 4242}};

PathFacts file(mode_t perms, uid_t uid = 0, gid_t gid = 0) {
  return {"/etc/floatd/check.sh", uid, gid, static_cast<mode_t>(S_IFREG | perms)};
}
PathFacts dir(const char* path, mode_t perms, uid_t uid = 0, gid_t gid = 0) {
  return {path, uid, gid, static_cast<mode_t>(S_IFDIR | perms)};
}
const std::vector<PathFacts> kSafeDirs{dir("/", 0755), dir("/etc", 0755),
                                       dir("/etc/floatd", 0755)};

std::optional<std::string> verdict(const PathFacts& f, std::vector<PathFacts> dirs = kSafeDirs,
                                   uid_t self = kSelf) {
  return script_insecurity(f, dirs, kNobody, self);
}

}  // namespace

TEST_CASE("script security: a root-owned 0755 script in root-owned 0755 directories runs") {
  CHECK_FALSE(verdict(file(0755)));
  CHECK_FALSE(verdict(file(0700)));
}

TEST_CASE("script security: a script not owned by root is refused") {
  CHECK(verdict(file(0755, kAlice)) == "/etc/floatd/check.sh is owned by uid 1000, not root");
  CHECK(verdict(file(0755, kNobody.uid)) ==
        "/etc/floatd/check.sh is owned by uid 65534, not root");
}

TEST_CASE("script security: a group- or other-writable script is refused") {
  CHECK(verdict(file(0775)) == "/etc/floatd/check.sh is writable by its group");
  CHECK(verdict(file(0757)) == "/etc/floatd/check.sh is writable by others");
}

TEST_CASE("script security: something that is not a regular file is refused") {
  CHECK(verdict(dir("/etc/floatd/check.sh", 0755)) ==
        "/etc/floatd/check.sh is not a regular file");
}

TEST_CASE("script security: a directory on the path that others could change is refused") {
  CHECK(verdict(file(0755), {dir("/", 0755), dir("/etc", 0777)}) ==
        "directory /etc is writable by others");
  CHECK(verdict(file(0755), {dir("/", 0755), dir("/home/alice", 0755, kAlice)}) ==
        "directory /home/alice is owned by uid 1000, not root");
}

TEST_CASE("script security: a sticky world-writable directory (/tmp) is acceptable") {
  CHECK_FALSE(verdict(file(0755), {dir("/", 0755), dir("/tmp", 01777)}));
  CHECK_FALSE(verdict(file(0755), {dir("/", 0755), dir("/tmp", 01777, 0, 65534)}));
}

TEST_CASE("script security: a directory writable by a group of the script user is refused") {
  CHECK(verdict(file(0755), {dir("/", 0755), dir("/srv", 0775, 0, 4242)}) ==
        "directory /srv is writable by group 4242 of the script user");
  // Group-writable by a group the script user is not in: only root-ish people can write.
  CHECK_FALSE(verdict(file(0755), {dir("/", 0755), dir("/srv", 0775, 0, 50)}));
}

TEST_CASE("script security: floatd's own uid is trusted like root when it is not root") {
  CHECK_FALSE(verdict(file(0755, kAlice), {dir("/", 0755), dir("/home/alice", 0755, kAlice)},
                      kAlice));
}

TEST_CASE("resolve_script: /bin/sh and a bare name found in the scripts' PATH") {
  const ScriptUser self = current_identity();
  const auto sh = resolve_script("/bin/sh", self);
  CHECK(sh.refusal == "");
  CHECK(sh.path == "/bin/sh");
  const auto bare = resolve_script("true", self);
  CHECK(bare.refusal == "");
  CHECK(bare.path.ends_with("/true"));
}

TEST_CASE("resolve_script: missing, relative and unknown commands are reported, not run") {
  const ScriptUser self = current_identity();
  CHECK(resolve_script("/nonexistent/check", self).refusal ==
        "cannot run /nonexistent/check: No such file or directory");
  CHECK(resolve_script("bin/check", self).refusal.starts_with("refusing to run 'bin/check'"));
  CHECK(resolve_script("floatd-no-such-command", self).refusal ==
        "cannot run floatd-no-such-command: not found in /usr/sbin:/usr/bin:/sbin:/bin");
}

TEST_CASE("resolve_script: real files with unsafe modes are refused") {
  char templ[] = "/tmp/floatd-security-XXXXXX";
  REQUIRE(mkdtemp(templ));
  const std::string dir = templ;
  const std::string script = dir + "/check.sh";
  std::ofstream(script) << "#!/bin/sh\nexit 0\n";
  const ScriptUser self = current_identity();

  REQUIRE(chmod(script.c_str(), 0755) == 0);
  CHECK(resolve_script(script, self).refusal == "");
  REQUIRE(chmod(script.c_str(), 0757) == 0);
  CHECK(resolve_script(script, self).refusal ==
        "refusing to run " + script + ": " + script + " is writable by others");
  REQUIRE(chmod(script.c_str(), 0755) == 0);
  REQUIRE(chmod(dir.c_str(), 0777) == 0);
  CHECK(resolve_script(script, self).refusal ==
        "refusing to run " + script + ": directory " + dir + " is writable by others");

  unlink(script.c_str());
  rmdir(dir.c_str());
}
