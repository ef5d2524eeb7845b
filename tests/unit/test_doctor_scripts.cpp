// floatd doctor: check commands, judged on stat data and on real files in a temporary
// directory.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "agent/doctor_host_facts.hpp"
#include "agent/doctor_scripts.hpp"
#include "doctor_helpers.hpp"

using namespace floatd;
using namespace floatd::doctor;
using doctor_test::contains;
using doctor_test::count;

namespace {

const checks::ScriptUser kNobody{"nobody", 65534, 65534, {65534}};

checks::PathFacts file(mode_t perms, uid_t uid = 0, gid_t gid = 0) {
  return {"/usr/local/lib/floatd/check", uid, gid, static_cast<mode_t>(S_IFREG | perms)};
}
checks::PathFacts dir(const char* path, mode_t perms) {
  return {path, 0, 0, static_cast<mode_t>(S_IFDIR | perms)};
}

ScriptFacts script(checks::PathFacts f, std::vector<checks::PathFacts> dirs = {dir("/", 0755)}) {
  return {"web", {f.path, "", f, std::move(dirs)}, std::nullopt};
}

const auto kConfig = doctor_test::config(R"(
[[check]]
name = "web"
command = ["/usr/local/lib/floatd/check"]
)");

}  // namespace

TEST_CASE("doctor scripts: permissions as the kernel applies them to the script user") {
  CHECK(permitted(file(0755), kNobody, S_IXUSR));
  CHECK_FALSE(permitted(file(0744), kNobody, S_IXUSR));
  CHECK(permitted(file(0744), kNobody, S_IRUSR));
  CHECK(permitted(file(0750, 0, 65534), kNobody, S_IXUSR));      // via its group
  CHECK_FALSE(permitted(file(0075, 65534), kNobody, S_IXUSR));   // owner bits decide for the owner
  CHECK(permitted(file(0100), {"root", 0, 0, {0}}, S_IXUSR));
  CHECK_FALSE(permitted(file(0644), {"root", 0, 0, {0}}, S_IXUSR));
  CHECK(is_interpreter("/bin/sh"));
  CHECK(is_interpreter("python3"));
  CHECK_FALSE(is_interpreter("/usr/bin/curl"));
}

TEST_CASE("doctor scripts: a runnable program gives nothing; not executable is an error") {
  CHECK(evaluate_scripts(kConfig, {kNobody, ""}, {script(file(0755))}).empty());
  const auto findings = evaluate_scripts(kConfig, {kNobody, ""}, {script(file(0700))});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Error);
  CHECK(findings[0].subject == "check 'web'");
  CHECK(contains(findings[0].problem, "(mode 0700) is not executable by the script user 'nobody'"));
  CHECK(findings[0].fix == "chmod 755 /usr/local/lib/floatd/check");
}

TEST_CASE("doctor scripts: a directory the script user cannot enter is an error") {
  const auto findings = evaluate_scripts(
      kConfig, {kNobody, ""}, {script(file(0755), {dir("/", 0755), dir("/root", 0700)})});
  REQUIRE(findings.size() == 1);
  CHECK(contains(findings[0].problem, "directory /root (mode 0700) cannot be entered"));
  CHECK(contains(findings[0].fix, "chmod o+x /root"));
}

TEST_CASE("doctor scripts: floatd's refusal is an error; for an interpreted script a warning") {
  ScriptFacts s = script(file(0755));
  s.program.refusal = "refusing to run /x: /x is writable by others";
  auto findings = evaluate_scripts(kConfig, {kNobody, ""}, {s});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Error);
  CHECK(contains(findings[0].fix, "chmod go-w"));

  ScriptFacts interpreted = script(file(0755));
  interpreted.script = ProgramFacts{"/etc/floatd/check.sh",
                                    "refusing to run /etc/floatd/check.sh: owned by uid 1000, "
                                    "not root",
                                    std::nullopt, {}};
  findings = evaluate_scripts(kConfig, {kNobody, ""}, {interpreted});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Warning);
  CHECK(contains(findings[0].problem, "floatd only checks the interpreter"));
  CHECK(contains(findings[0].fix, "chown root: /etc/floatd/check.sh"));
}

TEST_CASE("doctor scripts: no script user at all is an error when there are checks") {
  const auto findings =
      evaluate_scripts(kConfig, {std::nullopt, "script_user 'ghost' does not exist"},
                       {script(file(0755))});
  REQUIRE(count(findings, Severity::Error, "ghost") == 1);
  CHECK(findings[0].subject == "global.script_user");
  CHECK(evaluate_scripts(doctor_test::config(""), {std::nullopt, "x"}, {}).empty());
}

TEST_CASE("doctor scripts: gathered from real files (world-writable, not executable, fine)") {
  char templ[] = "/tmp/floatd-doctor-test-XXXXXX";
  REQUIRE(mkdtemp(templ));
  const std::string dir = templ;
  REQUIRE(chmod(dir.c_str(), 0755) == 0);
  const auto make = [&dir](const char* name, mode_t mode) {
    const std::string path = dir + "/" + name;
    std::ofstream(path) << "#!/bin/sh\nexit 0\n";
    REQUIRE(chmod(path.c_str(), mode) == 0);
    return path;
  };
  const std::string open = make("open", 0777);
  const std::string plain = make("plain", 0644);
  const std::string good = make("good", 0755);
  const auto config = doctor_test::config(
      "[[check]]\nname = \"open\"\ncommand = [\"" + open + "\"]\n"
      "[[check]]\nname = \"plain\"\ncommand = [\"" + plain + "\"]\n"
      "[[check]]\nname = \"good\"\ncommand = [\"" + good + "\"]\n"
      "[[check]]\nname = \"via_sh\"\ncommand = [\"/bin/sh\", \"" + open + "\"]\n");
  const ScriptUserFacts user{kNobody, ""};
  const auto facts = gather_scripts(config, user);
  const auto findings = evaluate_scripts(config, user, facts);
  for (const char* f : {"open", "plain", "good", "via_sh"}) std::remove((dir + "/" + f).c_str());
  rmdir(dir.c_str());

  CHECK(count(findings, Severity::Error, "check 'open'") == 1);
  CHECK(count(findings, Severity::Error, "is writable by") == 1);
  CHECK(count(findings, Severity::Error, "check 'plain'") == 1);
  CHECK(count(findings, Severity::Error, "not executable") == 1);
  CHECK(count(findings, Severity::Warning, "check 'via_sh'") == 1);
  CHECK(count(findings, Severity::Error, "check 'good'") == 0);
  CHECK(findings.size() == 3);
}
