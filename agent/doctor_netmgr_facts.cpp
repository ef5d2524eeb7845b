#include "agent/doctor_netmgr_facts.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <map>

#include <fmt/format.h>

#include "agent/doctor_command.hpp"
#include "agent/text_file.hpp"

namespace floatd::doctor {
namespace {

// Where networkd looks for .network files and their drop-ins, highest precedence first
// (systemd.network(5)).
const char* const kNetworkDirs[] = {"/etc/systemd/network", "/run/systemd/network",
                                    "/usr/local/lib/systemd/network", "/usr/lib/systemd/network",
                                    "/lib/systemd/network"};

std::string link_target(const std::string& path) {
  char buffer[PATH_MAX];
  const ssize_t n = readlink(path.c_str(), buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* e = readdir(d)) names.emplace_back(e->d_name);
    closedir(d);
  }
  return names;
}

// A process whose comm is `comm` runs, and (as far as we may see) in our network namespace.
// Another process's namespace link is readable only with ptrace rights: when it is not, we
// cannot tell, and assume ours (the common case: the doctor runs on the host itself).
bool runs_here(const std::string& comm) {
  const std::string ours = link_target("/proc/self/ns/net");
  for (const std::string& pid : list_dir("/proc")) {
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit)) continue;
    auto name = read_text_file("/proc/" + pid + "/comm");
    if (!name) continue;
    if (!name->empty() && name->back() == '\n') name->pop_back();
    if (*name != comm) continue;
    const std::string theirs = link_target("/proc/" + pid + "/ns/net");
    if (theirs.empty() || ours.empty() || theirs == ours) return true;
  }
  return false;
}

// The .network file and its drop-ins in reading order: the file, then every
// <name>.network.d/*.conf by file name, a name in a higher-precedence directory hiding the
// same name in lower ones.
std::vector<std::pair<std::string, std::string>> network_files(const std::string& network_file) {
  std::vector<std::pair<std::string, std::string>> files;
  if (auto text = read_text_file(network_file)) files.emplace_back(network_file, std::move(*text));
  const std::string base = network_file.substr(network_file.rfind('/') + 1);
  std::map<std::string, std::string> dropins;  // file name -> path, sorted by name
  for (const char* dir : kNetworkDirs) {
    const std::string d = fmt::format("{}/{}.d", dir, base);
    for (const std::string& name : list_dir(d)) {
      if (name.ends_with(".conf")) dropins.emplace(name, d + "/" + name);  // first one wins
    }
  }
  for (const auto& [name, path] : dropins) {
    if (auto text = read_text_file(path)) files.emplace_back(path, std::move(*text));
  }
  return files;
}

}  // namespace

NetworkdFacts gather_networkd(const std::vector<InterfaceIndex>& interfaces) {
  NetworkdFacts facts;
  // comm is cut to 15 characters: "systemd-network" is systemd-networkd.
  facts.running = runs_here("systemd-network");
  if (!facts.running) return facts;
  for (const auto& i : interfaces) {
    if (i.ifindex <= 0) continue;
    // networkd's own state of the link (marked private, but stable in practice and the only
    // way to learn which .network file applies without D-Bus).
    const auto state = read_text_file(fmt::format("/run/systemd/netif/links/{}", i.ifindex));
    if (!state) continue;
    const auto kv = parse_key_values(*state);
    NetworkdLink link;
    if (auto a = kv.find("ADMIN_STATE"); a != kv.end()) link.admin_state = a->second;
    if (auto n = kv.find("NETWORK_FILE"); n != kv.end()) link.network_file = n->second;
    if (!link.network_file.empty()) {
      std::tie(link.keep_configuration, link.keep_source) =
          keep_configuration(network_files(link.network_file));
    }
    facts.links[i.name] = std::move(link);
  }
  return facts;
}

NetworkManagerFacts gather_network_manager() {
  NetworkManagerFacts facts;
  facts.running = runs_here("NetworkManager");
  if (!facts.running) return facts;
  const auto nmcli = find_program("nmcli");
  if (!nmcli) {
    facts.error = "nmcli is not installed";
    return facts;
  }
  const auto result = run_command({*nmcli, "-t", "-f", "DEVICE,STATE", "device", "status"},
                                  std::chrono::seconds(10));
  if (!result.ran || result.exit_code != 0) {
    facts.error = "nmcli device status: " + first_error_line(result);
    return facts;
  }
  facts.device_states = parse_nmcli_devices(result.out);
  return facts;
}

}  // namespace floatd::doctor
