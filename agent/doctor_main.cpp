#include "agent/doctor_main.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "agent/doctor_config_view.hpp"
#include "agent/doctor_finding.hpp"
#include "agent/doctor_firewall_facts.hpp"
#include "agent/doctor_host_facts.hpp"
#include "agent/doctor_listen.hpp"
#include "agent/doctor_netmgr_facts.hpp"
#include "conf/config_loader.hpp"
#include "conf/duration.hpp"

namespace floatd {
namespace {

constexpr const char* kDefaultConfigPath = "/etc/floatd/floatd.toml";
// Listening is bounded: by default three advert intervals (what a backup waits for a master),
// at least 1s, at most 10s; --listen may ask for up to a minute.
constexpr Duration kMinListen = std::chrono::seconds(1);
constexpr Duration kMaxDefaultListen = std::chrono::seconds(10);
constexpr Duration kMaxListen = std::chrono::seconds(60);

struct DoctorOptions {
  std::string config_path = kDefaultConfigPath;
  std::optional<Duration> listen;
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: floatd doctor [-c PATH] [--listen DURATION]\n"
               "  Inspect this host against the configuration and print what would break\n"
               "  failover, each problem with its fix. Exit 0: nothing wrong; 1: something is.\n"
               "  -c, --config PATH   configuration file (default %s)\n"
               "  --listen DURATION   how long to listen for other VRRP speakers (\"3s\"; \"0s\":\n"
               "                      not at all); default three advert intervals, 1s..10s\n",
               kDefaultConfigPath);
}

// false: stop with `exit_code` (help or a usage error).
bool parse_args(int argc, char** argv, DoctorOptions& options, int& exit_code) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      usage(stdout);
      exit_code = 0;
      return false;
    }
    const bool takes_value = arg == "-c" || arg == "--config" || arg == "--listen";
    if (!takes_value || i + 1 >= argc) {
      std::fprintf(stderr, takes_value ? "floatd doctor: %s needs a value\n"
                                       : "floatd doctor: unknown argument '%s'\n", argv[i]);
      usage(stderr);
      exit_code = 2;
      return false;
    }
    const std::string_view value = argv[++i];
    if (arg == "--listen") {
      options.listen = conf::parse_duration(value);
      if (!options.listen || *options.listen > kMaxListen) {
        std::fprintf(stderr, "floatd doctor: --listen wants a duration up to 60s, like \"3s\"\n");
        exit_code = 2;
        return false;
      }
    } else {
      options.config_path = std::string(value);
    }
  }
  return true;
}

Duration default_listen(const conf::Config& config) {
  Duration longest{0};
  for (const auto& i : config.instances) longest = std::max(longest, i.advert_interval);
  return std::clamp(3 * longest, kMinListen, kMaxDefaultListen);
}

void append(doctor::Findings& all, doctor::Findings more) {
  all.insert(all.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

std::string interface_list(const conf::Config& config) {
  std::string out;
  for (const auto& name : doctor::interfaces_of(config)) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "no interface" : out;
}

doctor::Findings examine(const conf::Config& config, Duration listen) {
  using namespace doctor;
  Findings all;
  if (geteuid() != 0) {
    all.push_back({Severity::Note, "floatd doctor",
                   "not running as root: adverts, the packet filter and other processes may be "
                   "out of reach (what could not be read is listed)",
                   ""});
  }
  std::vector<InterfaceIndex> indexes;
  const LinkTable links = gather_links(config, indexes);
  append(all, evaluate_interfaces(config, links));
  append(all, evaluate_sysctls(config, gather_sysctls(config, links), links));
  append(all, fw::evaluate_firewall(config, gather_firewall()));
  append(all, evaluate_networkd(config, gather_networkd(indexes)));
  append(all, evaluate_network_manager(config, gather_network_manager()));
  const ScriptUserFacts user = gather_script_user(config);
  append(all, evaluate_scripts(config, user, gather_scripts(config, user)));
  if (listen > Duration{0} && !config.instances.empty()) {
    std::fprintf(stderr, "floatd doctor: listening for VRRP adverts on %s for %s\n",
                 interface_list(config).c_str(), conf::format_duration(listen).c_str());
    append(all, evaluate_peers(config, listen_for_adverts(indexes, listen)));
  }
  return all;
}

}  // namespace

int doctor_main(int argc, char** argv) {
  DoctorOptions options;
  int exit_code = 0;
  if (!parse_args(argc, argv, options, exit_code)) return exit_code;

  conf::Config config;
  try {
    config = conf::load_config_file(options.config_path);
  } catch (const conf::ConfigError& e) {
    for (const auto& d : e.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    std::fprintf(stderr, "floatd doctor: fix the configuration first (floatd --check -c %s)\n",
                 options.config_path.c_str());
    return 1;
  }
  std::printf("floatd doctor: %s: %zu instance(s) on %s, %zu check(s)\n", config.path.c_str(),
              config.instances.size(), interface_list(config).c_str(), config.checks.size());
  std::fflush(stdout);
  try {
    const auto findings = examine(config, options.listen.value_or(default_listen(config)));
    std::fputs(doctor::format_report(findings).c_str(), stdout);
    return doctor::exit_status(findings);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "floatd doctor: %s\n", e.what());
    return 1;
  }
}

}  // namespace floatd
