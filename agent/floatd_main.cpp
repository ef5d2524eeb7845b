// floatd [-c PATH] [--check [--print] [--plan]] [--version] [--log-target auto|journal|stderr]
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include <ev.h>
#include <spdlog/spdlog.h>

#include "agent/daemon.hpp"
#include "agent/logging.hpp"
#include "agent/control_client.hpp"
#include "conf/config_diff.hpp"
#include "conf/config_loader.hpp"
#include "conf/config_writer.hpp"

namespace {

constexpr const char* kDefaultConfigPath = "/etc/floatd/floatd.toml";

struct Options {
  std::string config_path = kDefaultConfigPath;
  bool check = false;
  bool print = false;  // with --check: show the effective configuration
  bool plan = false;   // with --check: what a reload of the running floatd would change
  bool version = false;
  floatd::LogTarget log_target = floatd::LogTarget::Auto;
};

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: floatd [-c PATH] [--check [--print] [--plan]] [--version]\n"
               "              [--log-target auto|journal|stderr]\n"
               "  -c, --config PATH   configuration file (default %s)\n"
               "  --check             validate the configuration and exit\n"
               "  --print             with --check: print the effective configuration\n"
               "  --plan              with --check: what a reload of the running floatd would\n"
               "                      change, instance by instance\n"
               "  --log-target T      auto (journal under systemd, else stderr), journal, stderr\n",
               kDefaultConfigPath);
}

// False when the program must stop at once with `exit_code` (help, or a usage error).
bool parse_args(int argc, char** argv, Options& options, int& exit_code) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool takes_value = arg == "-c" || arg == "--config" || arg == "--log-target";
    if (takes_value && i + 1 >= argc) {
      std::fprintf(stderr, "floatd: %s needs a value\n", argv[i]);
      exit_code = 2;
      return false;
    }
    if (arg == "-c" || arg == "--config") {
      options.config_path = argv[++i];
    } else if (arg == "--log-target") {
      const auto target = floatd::parse_log_target(argv[++i]);
      if (!target) {
        std::fprintf(stderr, "floatd: --log-target must be auto, journal or stderr\n");
        exit_code = 2;
        return false;
      }
      options.log_target = *target;
    } else if (arg == "--check") {
      options.check = true;
    } else if (arg == "--print") {
      options.print = true;
    } else if (arg == "--plan") {
      options.plan = true;
    } else if (arg == "--version") {
      options.version = true;
    } else if (arg == "-h" || arg == "--help") {
      usage(stdout);
      exit_code = 0;
      return false;
    } else {
      std::fprintf(stderr, "floatd: unknown argument '%s'\n", argv[i]);
      usage(stderr);
      exit_code = 2;
      return false;
    }
  }
  return true;
}

// The running floatd's configuration (it answers on the control socket the file names),
// compared with `next`. Not running: everything would be added by a start.
void print_plan(const floatd::conf::Config& next) {
  floatd::conf::Config running;
  try {
    floatd::control::Client client(next.global.control_socket);
    const auto reply = client.call(floatd::control::request::Config{});
    if (!reply.ok) throw floatd::control::ClientError(reply.error);
    running = floatd::conf::parse_config(reply.result.at("toml").get<std::string>(),
                                         "running configuration");
  } catch (const floatd::control::ClientError& e) {
    std::printf("# no running floatd to compare with (%s): a start would add everything\n",
                e.what());
  } catch (const std::exception& e) {  // a reply we cannot read: not worth a wrong plan
    std::printf("# cannot read the running floatd's configuration: %s\n", e.what());
    return;
  }
  std::printf("# reload plan:\n");
  for (const auto& line : floatd::conf::format_plan(floatd::conf::diff_configs(running, next)))
    std::printf("#   %s\n", line.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  int exit_code = 0;
  if (!parse_args(argc, argv, options, exit_code)) return exit_code;
  if (options.version) {
    std::printf("floatd %s\n", FLOATD_VERSION);
    return 0;
  }

  floatd::conf::Config config;
  try {
    config = floatd::conf::load_config_file(options.config_path);
  } catch (const floatd::conf::ConfigError& e) {
    for (const auto& d : e.diagnostics()) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return 1;
  }
  if (options.check) {
    if (options.print) std::fputs(floatd::conf::format_config(config).c_str(), stdout);
    if (options.plan) print_plan(config);
    std::printf("%sconfiguration OK\n", options.print ? "# " : "");
    return 0;
  }
  if (options.print || options.plan) {
    std::fprintf(stderr, "floatd: --print and --plan go with --check\n");
    return 2;
  }

  const auto target = floatd::resolve_log_target(options.log_target, std::getenv("JOURNAL_STREAM"));
  floatd::setup_logging(target);
  auto log = floatd::subsystem_logger("floatd");
  floatd::StateChangeLog state_log(target);
  try {
    struct ev_loop* loop = EV_DEFAULT;
    floatd::Daemon daemon(loop, config, state_log);
    log->info("floatd {} started with {} instance(s) from {}", FLOATD_VERSION,
              config.instances.size(), options.config_path);
    const int rc = daemon.run();
    log->info("floatd stopped");
    return rc;
  } catch (const std::exception& e) {
    log->critical("cannot start: {}", e.what());
    return 1;
  }
}
