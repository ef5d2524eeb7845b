// The interfaces named by `track = [{ interface = "eth1" }]`: whether each is up (IFF_UP and
// carrier), kept current from the daemon's link notifications. An interface that does not
// exist counts as down until it appears.
//
//   LinkMonitor -> Daemon::on_link_event -> TrackedInterfaces::on_link -> Tracking (re-evaluates)
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace floatd {

class TrackedInterfaces {
 public:
  struct Link {
    int ifindex = 0;
    bool up = false;
  };
  // Looks an interface up by name (net::query_link in the daemon, a fake in tests);
  // nullopt when there is none.
  using Query = std::function<std::optional<Link>(const std::string& name)>;

  explicit TrackedInterfaces(Query query) : query_(std::move(query)) {}

  // Starts following `name` (queried now); following it again changes nothing.
  void watch(const std::string& name);
  // Only the names in `keep` stay followed (after a reload).
  void retain(const std::vector<std::string>& keep);

  // A link notification. Returns the followed names whose state changed. An unknown ifindex
  // may be a followed interface that was just created (or re-created): the missing and down
  // ones are queried again.
  std::vector<std::string> on_link(int ifindex, bool up);
  // Notifications were lost: query every followed interface. Returns the changed names.
  std::vector<std::string> resync();

  bool up(const std::string& name) const;  // false for a missing or unknown interface
  // "interface eth1 down", "interface eth1 missing", "interface eth1 up", for reasons.
  std::string describe(const std::string& name) const;

 private:
  struct Followed {
    std::optional<Link> link;  // nullopt: no such interface
  };
  bool refresh(const std::string& name, Followed& followed);

  Query query_;
  std::map<std::string, Followed> followed_;
};

}  // namespace floatd
