// The control socket: a Unix stream socket (global.control_socket) where floatctl sends one
// request line and reads one response line. Non-blocking throughout: a slow or stuck client
// never delays adverts. The socket is mode 0660, group "floatd" where that group exists.
// Each client's uid is read at accept (SO_PEERCRED): a request that changes something from
// anyone but root or floatd's own user is refused here, before the handler sees it (the
// rule: access_refusal in agent/control_commands.hpp); reading is open to whoever connects.
#pragma once
#include <sys/types.h>

#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <ev.h>

#include "agent/unique_fd.hpp"

namespace spdlog {
class logger;
}

namespace floatd {

class ControlServer {
 public:
  // One response line (without the newline) for one request line; `subscribe` keeps the
  // connection open to receive every later broadcast() line (floatctl watch).
  struct Reply {
    std::string line;
    bool subscribe = false;
  };
  using Handler = std::function<Reply(std::string_view request)>;

  // Throws std::system_error (cannot create) or std::runtime_error (another floatd listens).
  ControlServer(struct ev_loop* loop, std::string path, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::string& path() const { return path_; }
  // Sends a line to every subscriber; one that cannot keep up is disconnected.
  void broadcast(const std::string& line);

 private:
  struct Connection {
    ControlServer* server = nullptr;
    UniqueFd fd;
    std::optional<uid_t> peer_uid;  // SO_PEERCRED at accept; nullopt if it could not be read
    pid_t peer_pid = 0;
    std::string input;
    std::string output;
    std::size_t written = 0;
    bool subscribed = false;
    ev_io io{};
    ev_timer deadline{};
  };

  static void on_accept(struct ev_loop* loop, ev_io* watcher, int revents);
  static void on_connection_io(struct ev_loop* loop, ev_io* watcher, int revents);
  static void on_connection_deadline(struct ev_loop* loop, ev_timer* watcher, int revents);
  void accept_all();
  void read_request(Connection& c);
  void write_response(Connection& c);
  void start_writing(Connection& c);
  void close(Connection& c);

  struct ev_loop* loop_;
  std::string path_;
  Handler handler_;
  uid_t own_uid_;  // floatd's effective uid: its own user may change things too
  std::shared_ptr<spdlog::logger> log_;
  UniqueFd listen_fd_;
  ev_io accept_io_{};
  std::list<Connection> connections_;  // stable addresses for the watchers
};

}  // namespace floatd
