// The hitless-restart handoff: JSON round trip, and only the exec'd image (same PID, fresh
// file) may take it; the file is gone once taken.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "agent/handoff.hpp"

using namespace floatd;
using namespace std::chrono_literals;

namespace {

Handoff sample() {
  Handoff h;
  h.pid = 4242;
  h.written_at = std::chrono::system_clock::time_point(1'700'000'000'123ms);
  InstanceCounters c;
  c.adverts_sent = 10;
  c.adverts_received = 3;
  c.transitions = 2;
  c.became_master = 1;
  h.instances.push_back({"web", "eth0", 51, State::Master, c});
  h.instances.push_back({"db", "eth1", 52, State::Backup, {}});
  h.checks["alive"] = checks::Health::Passing;
  h.checks["slow"] = checks::Health::Unknown;
  return h;
}

struct TempFile {
  std::string path = "/tmp/floatd-handoff-test-" + std::to_string(getpid()) + ".json";
  ~TempFile() { std::remove(path.c_str()); }
  bool exists() const { return access(path.c_str(), F_OK) == 0; }
};

}  // namespace

TEST_CASE("handoff: JSON round trip keeps every field") {
  const auto h = sample();
  const auto back = handoff_from_json(handoff_to_json(h));
  REQUIRE(back);
  CHECK(*back == h);
}

TEST_CASE("handoff: malformed text is no handoff") {
  CHECK_FALSE(handoff_from_json(""));
  CHECK_FALSE(handoff_from_json("[]"));
  CHECK_FALSE(handoff_from_json("{\"pid\": 1}"));
  auto text = handoff_to_json(sample());
  const auto state = text.find("MASTER");
  REQUIRE(state != std::string::npos);
  text.replace(state, 6, "LEADER");
  CHECK_FALSE(handoff_from_json(text));
}

TEST_CASE("handoff: was_master needs the same name, interface and VRID in MASTER") {
  const auto h = sample();
  CHECK(h.was_master("web", "eth0", 51));
  CHECK_FALSE(h.was_master("web", "eth1", 51));
  CHECK_FALSE(h.was_master("web", "eth0", 52));
  CHECK_FALSE(h.was_master("db", "eth1", 52));
  CHECK_FALSE(h.was_master("api", "eth0", 51));
}

TEST_CASE("handoff: the file lives next to the control socket") {
  CHECK(handoff_path("/run/floatd/floatd.sock") == "/run/floatd/handoff.json");
  CHECK(handoff_path("floatd.sock") == "./handoff.json");
}

TEST_CASE("handoff: taken once by the same PID while fresh, ignored otherwise") {
  TempFile file;
  auto h = sample();
  h.pid = getpid();
  h.written_at = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now());  // the file keeps milliseconds
  REQUIRE(save_handoff(file.path, h).empty());
  const auto taken = take_handoff(file.path, getpid(), h.written_at + 1s);
  REQUIRE(taken);
  CHECK(*taken == h);
  CHECK_FALSE(file.exists());
  CHECK_FALSE(take_handoff(file.path, getpid(), h.written_at));  // gone

  REQUIRE(save_handoff(file.path, h).empty());
  CHECK_FALSE(take_handoff(file.path, getpid() + 1, h.written_at));  // another process
  CHECK_FALSE(file.exists());  // and deleted all the same
  REQUIRE(save_handoff(file.path, h).empty());
  CHECK_FALSE(take_handoff(file.path, getpid(), h.written_at + kHandoffMaxAge + 1s));  // stale
}

TEST_CASE("handoff: saving into a missing directory says why") {
  const auto error = save_handoff("/nonexistent-floatd-dir/handoff.json", sample());
  CHECK(error.find("No such file or directory") != std::string::npos);
}
