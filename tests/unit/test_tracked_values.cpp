// The pure parts of the interface and file trackers: parsing a tracked file's integer, and
// following interfaces through link notifications (with a fake link query).
#include <doctest/doctest.h>

#include <map>

#include "agent/tracked_files.hpp"
#include "agent/tracked_interfaces.hpp"

using namespace floatd;

TEST_CASE("tracked file: integers with surrounding whitespace, clamped; anything else is none") {
  CHECK(parse_tracked_value("3") == 3);
  CHECK(parse_tracked_value(" -7\n") == -7);
  CHECK(parse_tracked_value("+2") == 2);
  CHECK(parse_tracked_value("0") == 0);
  CHECK(parse_tracked_value("99999999999999999999") == kMaxTrackedFileValue);
  CHECK(parse_tracked_value("-99999999999999999999") == -kMaxTrackedFileValue);
  CHECK(parse_tracked_value("250000") == kMaxTrackedFileValue);
  CHECK_FALSE(parse_tracked_value("").has_value());
  CHECK_FALSE(parse_tracked_value("\n").has_value());
  CHECK_FALSE(parse_tracked_value("1.5").has_value());
  CHECK_FALSE(parse_tracked_value("abc").has_value());
  CHECK_FALSE(parse_tracked_value("1 2").has_value());
}

TEST_CASE("tracked interfaces: notifications by ifindex; missing ones are looked up again") {
  std::map<std::string, TrackedInterfaces::Link> links{{"eth1", {4, true}}};
  int queries = 0;
  TrackedInterfaces tracked([&](const std::string& name) -> std::optional<TrackedInterfaces::Link> {
    ++queries;
    const auto found = links.find(name);
    if (found == links.end()) return std::nullopt;
    return found->second;
  });
  tracked.watch("eth1");
  tracked.watch("eth2");
  CHECK(tracked.up("eth1"));
  CHECK_FALSE(tracked.up("eth2"));
  CHECK(tracked.describe("eth2") == "interface eth2 missing");
  CHECK(tracked.on_link(4, false) == std::vector<std::string>{"eth1"});
  CHECK(tracked.describe("eth1") == "interface eth1 down");
  CHECK(tracked.on_link(4, false).empty());  // no flip: nothing to report
  const int before = queries;
  CHECK(tracked.on_link(4, true) == std::vector<std::string>{"eth1"});
  CHECK(queries == before);  // a known ifindex needs no lookup
  links["eth2"] = {5, true};
  CHECK(tracked.on_link(5, true) == std::vector<std::string>{"eth2"});
  CHECK(tracked.up("eth2"));
  tracked.retain({"eth2"});
  CHECK_FALSE(tracked.up("eth1"));
  CHECK(tracked.on_link(4, false).empty());
}

TEST_CASE("tracked interfaces: a deleted and re-created interface is found under its new ifindex") {
  std::map<std::string, TrackedInterfaces::Link> links{{"eth1", {4, true}}};
  TrackedInterfaces tracked([&](const std::string& name) -> std::optional<TrackedInterfaces::Link> {
    const auto found = links.find(name);
    if (found == links.end()) return std::nullopt;
    return found->second;
  });
  tracked.watch("eth1");
  links.erase("eth1");
  CHECK(tracked.on_link(4, false) == std::vector<std::string>{"eth1"});
  links["eth1"] = {11, true};
  CHECK(tracked.on_link(11, true) == std::vector<std::string>{"eth1"});
  CHECK(tracked.up("eth1"));
}
