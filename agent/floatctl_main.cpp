// floatctl [-s SOCKET] status|peers|history [--json] | watch | metrics | resign NAME
//          | maintenance on|off | reload [--plan] | restart
// Talks to a running floatd over its control socket (agent/control_client.hpp).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agent/control_client.hpp"
#include "agent/floatctl_tables.hpp"

namespace {

constexpr const char* kDefaultSocket = "/run/floatd/floatd.sock";

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: floatctl [-s SOCKET] COMMAND\n"
               "  status [--json]   state, priorities, VIPs and master of every instance\n"
               "  peers [--json]    every VRRP speaker heard, per interface and VRID\n"
               "  history [--json]  recent state changes with their reasons\n"
               "  watch             follow state changes live (one JSON object per line)\n"
               "  metrics           counters in the Prometheus text format\n"
               "  resign NAME       hand instance NAME's VIPs to a backup now (MASTER only)\n"
               "  maintenance on|off  hand every VIP over and stay out of MASTER (persists)\n"
               "  reload [--plan]   apply the configuration file again, changing only what\n"
               "                    differs (--plan: only say what would change)\n"
               "  restart           hitless restart: a new floatd process takes over the\n"
               "                    running state, VIPs stay where they are\n"
               "  -s SOCKET         control socket (default %s)\n",
               kDefaultSocket);
}

// Why the command line was not understood, in one line.
std::string usage_error(const std::vector<std::string_view>& args, bool json) {
  if (args.empty()) return "no command given";
  const std::string command(args[0]);
  static const std::vector<std::string> known{"status", "peers",       "history", "watch",
                                              "metrics", "resign",     "maintenance",
                                              "reload",  "restart"};
  if (std::find(known.begin(), known.end(), command) == known.end())
    return "unknown command '" + command + "'";
  if (command == "resign" && args.size() < 2) return "resign needs an instance NAME";
  if (command == "maintenance" && (args.size() < 2 || (args[1] != "on" && args[1] != "off")))
    return "maintenance needs 'on' or 'off'";
  if (command == "reload" && args.size() == 2) return "reload takes only --plan";
  if (json) return "--json goes with status, peers, history or maintenance";
  return "unexpected arguments after '" + command + "'";
}

enum class Output { Table, Json, Raw };

int print(const floatd::control::Request& req, const nlohmann::json& result, Output output) {
  namespace r = floatd::control::request;
  if (output == Output::Json) {
    std::printf("%s\n", result.dump(2).c_str());
    return 0;
  }
  std::string text;
  if (std::holds_alternative<r::Metrics>(req)) {
    text = result.at("text").get<std::string>();
  } else if (std::holds_alternative<r::Peers>(req)) {
    text = floatd::format_peers_table(result);
  } else if (std::holds_alternative<r::History>(req)) {
    text = floatd::format_history_table(result);
  } else {
    text = floatd::format_status_table(floatd::control::status_from_json(result));
    if (result.value("maintenance", false))
      text += "maintenance mode is on: no instance becomes MASTER (floatctl maintenance off)\n";
  }
  std::fputs(text.c_str(), stdout);
  return 0;
}

// The reply's result, or nullopt after printing why there is none.
std::optional<nlohmann::json> call(floatd::control::Client& client,
                                   const floatd::control::Request& req) {
  const auto reply = client.call(req);
  if (!reply.ok) {
    std::fprintf(stderr, "floatctl: %s\n", reply.error.c_str());
    return std::nullopt;
  }
  return reply.result;
}

int run(const std::string& path, const floatd::control::Request& req, Output output) {
  floatd::control::Client client(path);
  const auto result = call(client, req);
  if (!result) return 1;
  if (!std::holds_alternative<floatd::control::request::Watch>(req)) return print(req, *result, output);
  while (const auto line = client.next_line()) {
    std::printf("%s\n", line->c_str());
    std::fflush(stdout);
  }
  return 0;
}

int reload(const std::string& path, bool plan) {
  floatd::control::Client client(path, std::chrono::seconds(30));
  const auto result = call(client, floatd::control::request::Reload{plan});
  if (!result) return 1;
  if (!plan) std::printf("%s\n", result->at("applied").get<bool>() ? "reloaded:" : "nothing to reload:");
  for (const auto& line : result->at("plan")) std::printf("  %s\n", line.get<std::string>().c_str());
  return 0;
}

// The old process answers, then execs the new one, which closes the connection; the new
// one listens again once its instances run. Bounded: 30 s in all.
int restart(const std::string& path) {
  {
    floatd::control::Client client(path, std::chrono::seconds(30));
    if (!call(client, floatd::control::request::Restart{})) return 1;
    if (!client.wait_closed()) {
      std::fprintf(stderr, "floatctl: floatd did not restart within 30 s\n");
      return 1;
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    try {
      floatd::control::Client client(path);
      const auto status = call(client, floatd::control::request::Status{});
      if (!status) return 1;
      std::printf("floatd restarted\n");
      return print(floatd::control::request::Status{}, *status, Output::Table);
    } catch (const floatd::control::ClientError& e) {
      if (std::chrono::steady_clock::now() > deadline) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a socket path
  }
}

int dispatch(const std::string& socket_path, const std::vector<std::string_view>& args, bool json) {
  namespace r = floatd::control::request;
  const auto output = json ? Output::Json : Output::Table;
  if (args.size() == 1) {
    const auto command = args[0];
    if (command == "status") return run(socket_path, r::Status{}, output);
    if (command == "peers") return run(socket_path, r::Peers{}, output);
    if (command == "history") return run(socket_path, r::History{}, output);
    if (command == "watch" && !json) return run(socket_path, r::Watch{}, Output::Raw);
    if (command == "metrics" && !json) return run(socket_path, r::Metrics{}, Output::Raw);
  }
  if (args.size() == 2 && args[0] == "maintenance" && (args[1] == "on" || args[1] == "off"))
    return run(socket_path, r::Maintenance{args[1] == "on"}, output);
  if (args.size() == 2 && args[0] == "resign" && !json)
    return run(socket_path, r::Resign{std::string(args[1])}, Output::Table);
  if (!json && !args.empty() && args[0] == "reload" &&
      (args.size() == 1 || (args.size() == 2 && args[1] == "--plan")))
    return reload(socket_path, args.size() == 2);
  if (!json && args.size() == 1 && args[0] == "restart") return restart(socket_path);
  std::fprintf(stderr, "floatctl: %s\n", usage_error(args, json).c_str());
  usage(stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket_path = kDefaultSocket;
  std::vector<std::string_view> args;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-s" || arg == "--socket") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "floatctl: %s needs a value\n", argv[i]);
        return 2;
      }
      socket_path = argv[++i];
    } else if (arg == "-h" || arg == "--help") {
      usage(stdout);
      return 0;
    } else if (arg == "--version") {
      std::printf("floatctl %s\n", FLOATD_VERSION);
      return 0;
    } else if (arg == "--json") {
      json = true;
    } else {
      args.push_back(arg);
    }
  }
  try {
    return dispatch(socket_path, args, json);
  } catch (const floatd::control::ClientError& e) {
    std::fprintf(stderr, "floatctl: %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "floatctl: unexpected answer from floatd: %s\n", e.what());
  }
  return 1;
}
