#include "agent/control_server.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <vector>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "agent/control_commands.hpp"
#include "agent/control_protocol.hpp"
#include "agent/logging.hpp"
#include "netlink/handles.hpp"

namespace floatd {
namespace {

constexpr std::size_t kMaxConnections = 16;
constexpr double kConnectionTimeoutSeconds = 2.0;
constexpr std::size_t kMaxSubscriberBacklog = 64 * 1024;

sockaddr_un socket_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    throw std::runtime_error(fmt::format("control socket path too long: {}", path));
  path.copy(addr.sun_path, path.size());
  return addr;
}

// A socket file left by a previous run is removed; one that still answers belongs to a
// running floatd, and two daemons must never manage the same VIPs.
void remove_stale_socket(const std::string& path, const sockaddr_un& addr) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return;
  if (!S_ISSOCK(st.st_mode))
    throw std::runtime_error(fmt::format("{} exists and is not a socket", path));
  UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0)
    throw std::runtime_error(fmt::format("another floatd is already listening on {}", path));
  unlink(path.c_str());
}

// The group the socket file gets: "floatd" where that group exists.
std::optional<gid_t> socket_group() {
  if (const group* g = getgrnam("floatd")) return g->gr_gid;
  return std::nullopt;
}

// The socket file is created under the group's filesystem gid (CAP_SETGID, which floatd keeps
// while it is root: agent/privileges.hpp), so it is born with that group: chown afterwards
// needs CAP_CHOWN or membership in the group, and a floatd started as root outside systemd
// has neither once it dropped its capabilities (after a hitless restart). setfsgid is
// per-thread and only what the file system sees of us, for the bind alone; when it is
// refused (no CAP_SETGID), chown below may still work (a member of the group).
class FsgidScope {
 public:
  explicit FsgidScope(std::optional<gid_t> gid) : active_(gid.has_value()) {
    if (active_) saved_ = static_cast<gid_t>(setfsgid(*gid));
  }
  ~FsgidScope() {
    if (active_) setfsgid(saved_);
  }
  FsgidScope(const FsgidScope&) = delete;
  FsgidScope& operator=(const FsgidScope&) = delete;

 private:
  bool active_;
  gid_t saved_ = 0;
};

void restrict_access(const std::string& path, std::optional<gid_t> group) {
  if (chmod(path.c_str(), 0660) != 0) net::throw_errno("control socket " + path, "chmod");
  if (!group) return;
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0 && st.st_gid == *group) return;
  if (chown(path.c_str(), static_cast<uid_t>(-1), *group) != 0)
    net::throw_errno("control socket " + path, "chown");
}

}  // namespace

ControlServer::ControlServer(struct ev_loop* loop, std::string path, Handler handler)
    : loop_(loop),
      path_(std::move(path)),
      handler_(std::move(handler)),
      own_uid_(geteuid()),
      log_(subsystem_logger("floatd")) {
  const auto addr = socket_address(path_);
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ignored);
  remove_stale_socket(path_, addr);
  listen_fd_ = UniqueFd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (listen_fd_.get() < 0) net::throw_errno("control socket", "socket");
  const auto group = socket_group();
  {
    FsgidScope as_group(group);
    if (bind(listen_fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      net::throw_errno("control socket " + path_, "bind");
  }
  restrict_access(path_, group);
  if (listen(listen_fd_.get(), 16) != 0) net::throw_errno("control socket " + path_, "listen");
  ev_io_init(&accept_io_, on_accept, listen_fd_.get(), EV_READ);
  accept_io_.data = this;
  ev_io_start(loop_, &accept_io_);
}

ControlServer::~ControlServer() {
  ev_io_stop(loop_, &accept_io_);
  while (!connections_.empty()) close(connections_.front());
  unlink(path_.c_str());
}

void ControlServer::on_accept(struct ev_loop*, ev_io* watcher, int) {
  static_cast<ControlServer*>(watcher->data)->accept_all();
}

void ControlServer::accept_all() {
  for (int i = 0; i < 16; ++i) {  // bounded per wake-up
    UniqueFd fd(accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (fd.get() < 0) return;  // EAGAIN, or the client already left
    if (connections_.size() >= kMaxConnections) continue;  // refused by closing
    auto& c = connections_.emplace_back();
    c.server = this;
    c.fd = std::move(fd);
    ucred peer{};
    socklen_t length = sizeof peer;
    if (getsockopt(c.fd.get(), SOL_SOCKET, SO_PEERCRED, &peer, &length) == 0 &&
        length == sizeof peer) {
      c.peer_uid = peer.uid;
      c.peer_pid = peer.pid;
    }
    ev_io_init(&c.io, on_connection_io, c.fd.get(), EV_READ);
    c.io.data = &c;
    ev_io_start(loop_, &c.io);
    ev_timer_init(&c.deadline, on_connection_deadline, kConnectionTimeoutSeconds, 0.);
    c.deadline.data = &c;
    ev_timer_start(loop_, &c.deadline);
  }
}

void ControlServer::on_connection_io(struct ev_loop*, ev_io* watcher, int revents) {
  auto& c = *static_cast<Connection*>(watcher->data);
  if (revents & EV_WRITE) {
    c.server->write_response(c);
  } else if (revents & EV_READ) {
    c.server->read_request(c);
  }
}

void ControlServer::on_connection_deadline(struct ev_loop*, ev_timer* watcher, int) {
  auto& c = *static_cast<Connection*>(watcher->data);
  c.server->close(c);
}

void ControlServer::read_request(Connection& c) {
  char buf[1024];
  const ssize_t n = read(c.fd.get(), buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) return close(c);
  if (c.subscribed) return;  // a watcher has nothing more to say; EOF ends it
  c.input.append(buf, static_cast<std::size_t>(n));
  const auto newline = c.input.find('\n');
  if (newline == std::string::npos) {
    if (c.input.size() <= control::kMaxRequestBytes) return;  // wait for the rest of the line
    c.output = control::error_response("request too long") + "\n";
  } else {
    const auto line = std::string_view(c.input).substr(0, newline);
    if (auto refusal = access_refusal(line, c.peer_uid, own_uid_); !refusal.empty()) {
      log_->warn("control socket: refused a request of pid {}: {}", c.peer_pid, refusal);
      c.output = control::error_response(refusal) + "\n";
    } else {
      auto reply = handler_(line);
      c.output = std::move(reply.line) + "\n";
      c.subscribed = reply.subscribe;
    }
    c.input.clear();
  }
  if (c.subscribed) ev_timer_stop(loop_, &c.deadline);  // watchers stay as long as they like
  start_writing(c);
}

void ControlServer::start_writing(Connection& c) {
  ev_io_stop(loop_, &c.io);
  ev_io_set(&c.io, c.fd.get(), EV_WRITE | (c.subscribed ? EV_READ : 0));
  ev_io_start(loop_, &c.io);
  write_response(c);
}

void ControlServer::write_response(Connection& c) {
  while (c.written < c.output.size()) {
    const ssize_t n = send(c.fd.get(), c.output.data() + c.written, c.output.size() - c.written,
                           MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;  // EV_WRITE resumes
    if (n < 0) return close(c);
    c.written += static_cast<std::size_t>(n);
  }
  if (!c.subscribed) return close(c);
  // Everything written: a subscriber now only waits for EOF (or the next broadcast).
  c.output.clear();
  c.written = 0;
  ev_io_stop(loop_, &c.io);
  ev_io_set(&c.io, c.fd.get(), EV_READ);
  ev_io_start(loop_, &c.io);
}

void ControlServer::broadcast(const std::string& line) {
  std::vector<Connection*> subscribers;
  for (auto& c : connections_)
    if (c.subscribed) subscribers.push_back(&c);
  for (Connection* c : subscribers) {
    if (c->output.size() - c->written + line.size() > kMaxSubscriberBacklog) {
      close(*c);
      continue;
    }
    c->output += line + "\n";
    start_writing(*c);
  }
}

void ControlServer::close(Connection& c) {
  ev_io_stop(loop_, &c.io);
  ev_timer_stop(loop_, &c.deadline);
  connections_.remove_if([&](const Connection& x) { return &x == &c; });
}

}  // namespace floatd
