#include "agent/maintenance_flag.hpp"

#include <filesystem>
#include <fstream>

namespace floatd {

MaintenanceFlag::MaintenanceFlag(std::string state_dir)
    : path_((std::filesystem::path(std::move(state_dir)) / "maintenance").string()) {}

bool MaintenanceFlag::is_set() const {
  std::error_code ec;
  return std::filesystem::exists(path_, ec);
}

std::string MaintenanceFlag::set(bool on) const {
  std::error_code ec;
  if (!on) {
    std::filesystem::remove(path_, ec);
    return ec ? "cannot remove " + path_ + ": " + ec.message() : "";
  }
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  std::ofstream file(path_);
  file << "maintenance set by floatctl\n";
  file.close();
  return file ? "" : "cannot write " + path_;
}

}  // namespace floatd
