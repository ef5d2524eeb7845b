// The maintenance flag on disk (STATE_DIR/maintenance), so `floatctl maintenance on`
// survives a restart of floatd: a host under maintenance must not grab the VIP when it
// comes back.
#pragma once
#include <string>

namespace floatd {

class MaintenanceFlag {
 public:
  explicit MaintenanceFlag(std::string state_dir);
  bool is_set() const;
  // Returns an empty string on success, else why it could not be stored.
  std::string set(bool on) const;

 private:
  std::string path_;
};

}  // namespace floatd
