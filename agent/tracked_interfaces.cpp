#include "agent/tracked_interfaces.hpp"

#include <algorithm>

namespace floatd {

void TrackedInterfaces::watch(const std::string& name) {
  if (followed_.contains(name)) return;
  refresh(name, followed_[name]);
}

void TrackedInterfaces::retain(const std::vector<std::string>& keep) {
  std::erase_if(followed_, [&](const auto& entry) {
    return std::find(keep.begin(), keep.end(), entry.first) == keep.end();
  });
}

// Returns whether what we know about the interface changed.
bool TrackedInterfaces::refresh(const std::string& name, Followed& followed) {
  const auto before = followed.link;
  followed.link = query_(name);
  const auto state = [](const std::optional<Link>& l) { return l ? int(l->up) : -1; };
  return state(before) != state(followed.link);
}

std::vector<std::string> TrackedInterfaces::on_link(int ifindex, bool up) {
  std::vector<std::string> changed;
  bool known = false;
  for (auto& [name, followed] : followed_) {
    if (!followed.link || followed.link->ifindex != ifindex) continue;
    known = true;
    if (followed.link->up != up) {
      followed.link->up = up;
      changed.push_back(name);
    }
  }
  if (known) return changed;
  // A missing interface may just have been created; a down one deleted and created again
  // under a new ifindex.
  for (auto& [name, followed] : followed_) {
    if ((!followed.link || !followed.link->up) && refresh(name, followed)) changed.push_back(name);
  }
  return changed;
}

std::vector<std::string> TrackedInterfaces::resync() {
  std::vector<std::string> changed;
  for (auto& [name, followed] : followed_) {
    if (refresh(name, followed)) changed.push_back(name);
  }
  return changed;
}

bool TrackedInterfaces::up(const std::string& name) const {
  const auto found = followed_.find(name);
  return found != followed_.end() && found->second.link && found->second.link->up;
}

std::string TrackedInterfaces::describe(const std::string& name) const {
  const auto found = followed_.find(name);
  if (found == followed_.end() || !found->second.link) return "interface " + name + " missing";
  return "interface " + name + (found->second.link->up ? " up" : " down");
}

}  // namespace floatd
