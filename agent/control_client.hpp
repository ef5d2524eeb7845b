// The client side of the control socket (agent/control_protocol.hpp): floatctl and
// `floatd --check --plan` talk to a running floatd through it.
#pragma once
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/control_protocol.hpp"
#include "agent/unique_fd.hpp"

namespace floatd::control {

// Why talking to floatd failed, ready for an operator: "cannot connect to /run/floatd/
// floatd.sock: No such file or directory (is floatd running?)".
class ClientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  int error_number = 0;  // errno of a failed connect, else 0
};

struct Reply {
  bool ok = false;
  nlohmann::json result;  // when ok
  std::string error;      // when not
};

class Client {
 public:
  // Connects; ClientError when nobody listens or access is denied. Replies must arrive
  // within `timeout`.
  explicit Client(std::string path, std::chrono::seconds timeout = std::chrono::seconds(5));

  // One request, its reply. ClientError on a send or receive failure or a malformed reply.
  Reply call(const Request& request);
  // The lines floatd sends after the reply (watch events), waiting as long as it takes;
  // nullopt when floatd closes the connection.
  std::optional<std::string> next_line();
  // Waits (bounded by the timeout) until floatd closes the connection; false on timeout.
  bool wait_closed();

 private:
  std::optional<std::string> read_line();

  std::string path_;
  UniqueFd fd_;
  std::string buffer_;
};

}  // namespace floatd::control
