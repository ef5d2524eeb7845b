// Talks to systemd (sd_notify): READY=1 once every instance runs, STATUS= with a one-line
// summary ("web MASTER 150, db BACKUP 100") after every state change, RELOADING=1 then
// READY=1 around a reload, and WATCHDOG=1 from a loop timer while `health` says all is
// well (the advert timers run, netlink notifications flow), so a wedged loop or a stalled
// part gets floatd restarted. Silent outside systemd.
#pragma once
#include <functional>
#include <string>

#include <ev.h>

namespace floatd {

class SystemdNotifier {
 public:
  using Summary = std::function<std::string()>;
  using Health = std::function<std::string()>;  // "" or why the watchdog ping is withheld

  SystemdNotifier(struct ev_loop* loop, Summary summary, Health health);
  ~SystemdNotifier();
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  void ready();
  void reloading();  // RELOADING=1; ready() ends the reload
  void stopping();
  void update_status();

 private:
  static void on_watchdog(struct ev_loop* loop, ev_timer* watcher, int revents);

  struct ev_loop* loop_;
  Summary summary_;
  Health health_;
  std::string withheld_;  // why the last ping was withheld, "" if it was sent
  std::string last_status_;
  ev_timer watchdog_{};
};

}  // namespace floatd
