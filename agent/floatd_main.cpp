// floatd [-c PATH] [--check [--print] [--plan]] [--version] [--log-target auto|journal|stderr]
#include <linux/close_range.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include <ev.h>
#include <spdlog/spdlog.h>

#include "agent/daemon.hpp"
#include "agent/doctor_main.hpp"
#include "agent/logging.hpp"
#include "agent/control_client.hpp"
#include "agent/handoff.hpp"
#include "agent/privileges.hpp"
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
               "       floatd doctor [-c PATH] [--listen DURATION]   (floatd doctor --help)\n"
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

// The path of our own executable, read at start: after a package upgrade replaced it,
// /proc/self/exe names the deleted old file, but this path holds the new one.
std::string own_executable(const char* argv0) {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string(argv0);
}

// Replaces this process by a new floatd with the same arguments (hitless restart; the PID,
// and so systemd's view of the service, stay the same). Returns only on failure.
void exec_new_floatd(const std::string& executable, char** argv) {
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->flush(); });
  close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);  // nothing of ours leaks into the new image
  execv(executable.c_str(), argv);
}

// Least privilege (agent/privileges.hpp): what a later execve may gain is limited before
// the daemon starts anything; its own capabilities once it has opened everything.
// A failure is logged, not fatal: floatd then runs as it was started.
std::optional<floatd::privileges::Plan> limit_exec_privileges(spdlog::logger& log) {
  namespace priv = floatd::privileges;
  priv::Plan plan;
  try {
    plan = priv::make_plan(priv::read_current(), geteuid() == 0);
  } catch (const std::exception& e) {
    log.error("privileges: cannot read our capabilities ({}); keeping them all", e.what());
    return std::nullopt;
  }
  if (auto error = priv::limit_exec(plan); !error.empty()) log.error("privileges: {}", error);
  return plan;
}

void drop_privileges(const std::optional<floatd::privileges::Plan>& plan, spdlog::logger& log) {
  namespace priv = floatd::privileges;
  if (!plan) return;
  if (auto error = priv::drop(*plan); !error.empty()) log.error("privileges: {}", error);
  try {
    log.info("privileges: {}", priv::summary(priv::read_current(), *plan));
  } catch (const std::exception& e) {
    log.error("privileges: cannot read our capabilities: {}", e.what());
  }
}

// Runs the daemon until it stops. A hitless restart execs the new floatd; should that
// fail, the VIPs must not be left without an agent: resume in this process instead.
int run_daemon(floatd::conf::Config config, const Options& options,
               floatd::StateChangeLog& state_log, char** argv) {
  auto log = floatd::subsystem_logger("floatd");
  const std::string executable = own_executable(argv[0]);
  const std::string handoff_file = floatd::handoff_path(config.global.control_socket);
  try {
    struct ev_loop* loop = EV_DEFAULT;
    for (;;) {
      const auto handoff =
          floatd::take_handoff(handoff_file, getpid(), std::chrono::system_clock::now());
      const auto privileges = limit_exec_privileges(*log);
      floatd::Daemon::Exit exit;
      {
        floatd::Daemon daemon(loop, config, state_log, handoff ? &*handoff : nullptr);
        log->info("floatd {} {} with {} instance(s) from {}", FLOATD_VERSION,
                  handoff ? "resumed" : "started", config.instances.size(), options.config_path);
        drop_privileges(privileges, *log);
        exit = daemon.run();
      }
      if (exit == floatd::Daemon::Exit::Stopped) break;
      log->info("hitless restart: executing {}", executable);
      exec_new_floatd(executable, argv);
      log->error("cannot execute {}: {}; resuming in this process", executable,
                 std::strerror(errno));
      config = floatd::conf::load_config_file(options.config_path);  // checked before the restart
    }
  } catch (const std::exception& e) {
    log->critical("cannot start: {}", e.what());
    return 1;
  }
  log->info("floatd stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "doctor") {
    return floatd::doctor_main(argc - 1, argv + 1);  // a subcommand with its own options
  }
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
  floatd::StateChangeLog state_log(target);
  return run_daemon(std::move(config), options, state_log, argv);
}
