// The kernel adapters of netlink/ against a real kernel. Every case runs in a fresh network
// namespace (in_netns.sh, wired in by CMake) and builds its own veth pair there, so nothing
// touches the host's network. Every wait is bounded by a deadline.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <ev.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "netlink/address_manager.hpp"
#include "netlink/garp.hpp"
#include "netlink/handles.hpp"
#include "netlink/link_info.hpp"
#include "netlink/link_monitor.hpp"
#include "netlink/vrrp_packet.hpp"
#include "netlink/vrrp_socket.hpp"

namespace {

using namespace std::chrono_literals;
using floatd::Family;
using floatd::IpAddress;
using floatd::IpPrefix;
using Clock = std::chrono::steady_clock;

// Generous: operstate changes go through the kernel's linkwatch, which may batch them for ~1 s.
constexpr auto kWait = 3s;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }
IpPrefix prefix(const char* text) { return *IpPrefix::parse(text); }

std::string capture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 512> chunk{};
  while (std::fgets(chunk.data(), chunk.size(), pipe)) out += chunk.data();
  pclose(pipe);
  return out;
}

// The addresses used here must never reach the host: refuse to run outside a namespace made by
// in_netns.sh (named fdt-...).
void require_private_netns() {
  const std::string name = capture("ip netns identify");
  REQUIRE_MESSAGE(name.rfind("fdt-", 0) == 0,
                  "run through in_netns.sh (ctest -R 'netns: ' does), not directly");
}

void sh(const std::string& command) {
  INFO("command: " << command);
  REQUIRE(std::system(command.c_str()) == 0);
}

bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit = kWait) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

bool link_up(const char* name) {
  const auto link = floatd::net::query_link(name);
  return link && link->up;
}

bool has_address(const char* name, const IpPrefix& wanted) {
  const auto link = floatd::net::query_link(name);
  REQUIRE(link);
  return std::find(link->addresses.begin(), link->addresses.end(), wanted) != link->addresses.end();
}

// v0 <-> v1: a veth pair, 192.0.2.1/24 on v0 and 192.0.2.2/24 on v1, both up and running.
struct VethPair {
  int v0 = 0;
  int v1 = 0;

  VethPair() {
    require_private_netns();
    sh("ip link add v0 type veth peer name v1");
    // IPv6 DAD and router solicitations would add traffic and addresses the cases don't expect.
    sh("sysctl -qw net.ipv6.conf.v0.accept_dad=0 net.ipv6.conf.v1.accept_dad=0");
    sh("ip addr add 192.0.2.1/24 dev v0 && ip addr add 192.0.2.2/24 dev v1");
    sh("ip link set v0 up && ip link set v1 up");
    REQUIRE(wait_for([] { return link_up("v0") && link_up("v1"); }));
    v0 = floatd::net::query_link("v0")->ifindex;
    v1 = floatd::net::query_link("v1")->ifindex;
  }
  // Lets several cases share one namespace when the binary is run by hand through in_netns.sh.
  ~VethPair() { std::system("ip link del v0 2>/dev/null"); }
  VethPair(const VethPair&) = delete;
  VethPair& operator=(const VethPair&) = delete;
};

// A private libev loop. A heartbeat timer wakes ev_run(EVRUN_ONCE) regularly, so a wait for an
// event that never comes still ends at its deadline.
class Loop {
 public:
  Loop() : loop_(ev_loop_new(EVFLAG_AUTO)) {
    REQUIRE(loop_ != nullptr);
    ev_timer_init(&heartbeat_, &Loop::on_heartbeat, 0.02, 0.02);
    ev_timer_start(loop_, &heartbeat_);
  }
  ~Loop() {
    ev_timer_stop(loop_, &heartbeat_);
    ev_loop_destroy(loop_);
  }
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  struct ev_loop* get() const {
    return loop_;
  }

  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = kWait) {
    const auto deadline = Clock::now() + limit;
    while (!done()) {
      if (Clock::now() >= deadline) return false;
      ev_run(loop_, EVRUN_ONCE);
    }
    return true;
  }

  // Runs the loop for a while regardless, to show that something does *not* happen.
  void run_for(std::chrono::milliseconds span) {
    run_until([] { return false; }, span);
  }

 private:
  static void on_heartbeat(struct ev_loop*, ev_timer*, int) {}
  struct ev_loop* loop_;
  ev_timer heartbeat_{};
};

}  // namespace

// --- AddressManager and query_link ---------------------------------------------------------

TEST_CASE("address manager: adding a VIP twice succeeds and query_link shows its prefix") {
  VethPair veth;
  floatd::net::AddressManager addresses;
  const IpPrefix vip = prefix("192.0.2.100/24");

  CHECK(addresses.add(veth.v0, vip, "") == "");
  CHECK(addresses.add(veth.v0, vip, "") == "");  // EEXIST is success
  CHECK(has_address("v0", vip));
  CHECK_FALSE(has_address("v0", prefix("192.0.2.100/32")));  // the prefix length is kept
}

TEST_CASE("address manager: removing a VIP twice succeeds") {
  VethPair veth;
  floatd::net::AddressManager addresses;
  const IpPrefix vip = prefix("198.18.0.100/32");

  REQUIRE(addresses.add(veth.v0, vip, "") == "");
  CHECK(addresses.remove(veth.v0, vip) == "");
  CHECK(addresses.remove(veth.v0, vip) == "");  // EADDRNOTAVAIL is success
  CHECK_FALSE(has_address("v0", vip));
}

TEST_CASE("address manager: a label in the <ifname>:<tag> form reaches the kernel") {
  VethPair veth;
  floatd::net::AddressManager addresses;

  REQUIRE(addresses.add(veth.v0, prefix("198.18.0.100/32"), "v0:vip") == "");
  const std::string shown = capture("ip -o -4 addr show dev v0");
  INFO(shown);
  CHECK(shown.find("198.18.0.100/32 scope global v0:vip") != std::string::npos);
}

TEST_CASE("address manager: an IPv6 VIP is added without duplicate address detection") {
  VethPair veth;
  floatd::net::AddressManager addresses;
  const IpPrefix vip = prefix("2001:db8::100/128");

  REQUIRE(addresses.add(veth.v0, vip, "v0:ignored") == "");  // IPv6 labels are not sent
  CHECK(addresses.add(veth.v0, vip, "") == "");
  CHECK(has_address("v0", vip));
  const std::string shown = capture("ip -o -6 addr show dev v0");
  INFO(shown);
  CHECK(shown.find("2001:db8::100/128 scope global nodad") != std::string::npos);
  CHECK(shown.find("tentative") == std::string::npos);
  CHECK(addresses.remove(veth.v0, vip) == "");
  CHECK(addresses.remove(veth.v0, vip) == "");
}

TEST_CASE("address manager: failures come back as libnl's text") {
  VethPair veth;
  floatd::net::AddressManager addresses;

  CHECK(addresses.add(999999, prefix("198.18.0.100/32"), "") == "No such device");
  CHECK(addresses.add(veth.v0, prefix("198.18.0.100/32"), "v0:a-label-too-long") ==
        "Input data out of range");
}

TEST_CASE("query_link: an unknown or impossible name is nullopt") {
  require_private_netns();
  CHECK_FALSE(floatd::net::query_link("nosuch0").has_value());
  CHECK_FALSE(floatd::net::query_link("a-name-longer-than-ifnamsiz").has_value());
}

TEST_CASE("query_link: reports index, MAC and the addresses of both families in kernel order") {
  VethPair veth;
  sh("ip addr add 198.18.0.1/15 dev v0 && ip addr add 2001:db8::1/64 dev v0");

  const auto link = floatd::net::query_link("v0");
  REQUIRE(link);
  CHECK(link->ifindex == veth.v0);
  CHECK(link->name == "v0");
  CHECK(link->up);

  std::ifstream sysfs("/sys/class/net/v0/address");
  std::string mac_text;
  sysfs >> mac_text;
  std::array<unsigned, 6> mac{};
  REQUIRE(std::sscanf(mac_text.c_str(), "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2], &mac[3],
                      &mac[4], &mac[5]) == 6);
  for (std::size_t i = 0; i < mac.size(); ++i) CHECK(link->mac[i] == mac[i]);

  // IPv4 first, in insertion order; then IPv6, whose order is not pinned here (the kernel lists
  // the newest IPv6 address first, and the link-local one came with the link).
  const auto is_v4 = [](const IpPrefix& p) { return p.address.family() == Family::V4; };
  CHECK(std::is_partitioned(link->addresses.begin(), link->addresses.end(), is_v4));
  const auto first_v6 = std::partition_point(link->addresses.begin(), link->addresses.end(), is_v4);
  CHECK(std::vector(link->addresses.begin(), first_v6) ==
        std::vector{prefix("192.0.2.1/24"), prefix("198.18.0.1/15")});
  CHECK(std::find(first_v6, link->addresses.end(), prefix("2001:db8::1/64")) !=
        link->addresses.end());
}

TEST_CASE("query_link: a veth whose peer is down has no carrier and is not up") {
  VethPair veth;
  sh("ip link set v1 down");
  CHECK(wait_for([] { return !link_up("v0"); }));
  const auto v0 = floatd::net::query_link("v0");
  REQUIRE(v0);
  CHECK_FALSE(v0->up);
  CHECK((std::stoul(capture("cat /sys/class/net/v0/flags"), nullptr, 16) & 0x1) != 0);  // IFF_UP
  sh("ip link set v1 up");
  CHECK(wait_for([] { return link_up("v0"); }));
}

TEST_CASE("primary_ipv4: the first IPv4 address that is not a VIP, compared without length") {
  VethPair veth;
  floatd::net::AddressManager addresses;
  // The VIP goes on first, so the kernel lists it before the real address.
  sh("ip addr flush dev v0");
  REQUIRE(addresses.add(veth.v0, prefix("198.18.0.100/32"), "") == "");
  sh("ip addr add 192.0.2.1/24 dev v0");
  const auto link = floatd::net::query_link("v0");
  REQUIRE(link);
  REQUIRE(link->addresses.front() == prefix("198.18.0.100/32"));

  CHECK(floatd::net::primary_ipv4(*link, {}) == ip("198.18.0.100"));
  CHECK(floatd::net::primary_ipv4(*link, {prefix("198.18.0.100/32")}) == ip("192.0.2.1"));
  CHECK(floatd::net::primary_ipv4(*link, {prefix("198.18.0.100/24")}) == ip("192.0.2.1"));
  CHECK_FALSE(floatd::net::primary_ipv4(*link, {prefix("198.18.0.100/32"), prefix("192.0.2.1/24")})
                  .has_value());

  floatd::net::LinkInfo only_v6;
  only_v6.addresses = {prefix("2001:db8::1/64")};
  CHECK_FALSE(floatd::net::primary_ipv4(only_v6, {}).has_value());
}

// --- LinkMonitor ----------------------------------------------------------------------------

namespace {

// Records what a LinkMonitor reports.
struct Recorder {
  std::map<int, bool> link_up;  // last state per ifindex
  std::vector<floatd::net::AddressEvent> address_events;
  int overruns = 0;

  floatd::net::LinkMonitor::Callbacks callbacks() {
    return {
        .on_link = [this](const floatd::net::LinkEvent& e) { link_up[e.ifindex] = e.up; },
        .on_address = [this](const floatd::net::AddressEvent& e) { address_events.push_back(e); },
        .on_overrun = [this] { ++overruns; },
    };
  }
  bool saw_link(int ifindex, bool up) const {
    const auto it = link_up.find(ifindex);
    return it != link_up.end() && it->second == up;
  }
  bool saw_address(int ifindex, const IpPrefix& p, bool added) const {
    return std::any_of(address_events.begin(), address_events.end(), [&](const auto& e) {
      return e.ifindex == ifindex && e.prefix == p && e.added == added;
    });
  }
};

}  // namespace

TEST_CASE("link monitor: reports the peer going down and coming back up") {
  VethPair veth;
  Loop loop;
  Recorder seen;
  floatd::net::LinkMonitor monitor(loop.get(), seen.callbacks());

  sh("ip link set v1 down");
  // v1 is down by command, v0 by losing its carrier.
  CHECK(loop.run_until(
      [&] { return seen.saw_link(veth.v1, false) && seen.saw_link(veth.v0, false); }));

  sh("ip link set v1 up");
  CHECK(
      loop.run_until([&] { return seen.saw_link(veth.v1, true) && seen.saw_link(veth.v0, true); }));
}

TEST_CASE("link monitor: a deleted link is reported down") {
  VethPair veth;
  Loop loop;
  Recorder seen;
  floatd::net::LinkMonitor monitor(loop.get(), seen.callbacks());

  sh("ip link add v2 type veth peer name v3 && ip link set v2 up && ip link set v3 up");
  int v2 = 0;
  REQUIRE(loop.run_until([&] {
    const auto link = floatd::net::query_link("v2");
    v2 = link ? link->ifindex : 0;
    return v2 != 0 && seen.saw_link(v2, true);
  }));
  sh("ip link del v2");
  CHECK(loop.run_until([&] { return seen.saw_link(v2, false); }));
}

TEST_CASE("link monitor: reports an address added and removed, both families") {
  VethPair veth;
  Loop loop;
  Recorder seen;
  floatd::net::LinkMonitor monitor(loop.get(), seen.callbacks());
  floatd::net::AddressManager addresses;
  const IpPrefix v4 = prefix("192.0.2.100/24");
  const IpPrefix v6 = prefix("2001:db8::100/128");

  REQUIRE(addresses.add(veth.v0, v4, "") == "");
  REQUIRE(addresses.add(veth.v0, v6, "") == "");
  CHECK(loop.run_until(
      [&] { return seen.saw_address(veth.v0, v4, true) && seen.saw_address(veth.v0, v6, true); }));
  REQUIRE(addresses.remove(veth.v0, v4) == "");
  REQUIRE(addresses.remove(veth.v0, v6) == "");
  CHECK(loop.run_until([&] {
    return seen.saw_address(veth.v0, v4, false) && seen.saw_address(veth.v0, v6, false);
  }));
  CHECK(seen.overruns == 0);
}

TEST_CASE("link monitor: a burst beyond the receive buffer is an overrun, then events flow again") {
  VethPair veth;
  Loop loop;
  Recorder seen;
  floatd::net::LinkMonitor monitor(loop.get(), seen.callbacks());

  // 10000 notifications while nobody reads (~7 MB of kernel buffers) overflow the 2 MiB that
  // the 1 MiB SO_RCVBUF request gives. Adding and deleting one address keeps the kernel's work
  // per step constant, so the burst takes about a second.
  const std::string batch = "/tmp/floatd-burst-" + std::to_string(getpid());
  {
    std::ofstream out(batch);
    for (int i = 0; i < 5000; ++i) {
      out << "addr add 198.18.0.1/32 dev v0\naddr del 198.18.0.1/32 dev v0\n";
    }
  }
  const int rc = std::system(("ip -batch " + batch).c_str());
  std::remove(batch.c_str());
  REQUIRE(rc == 0);

  // Reported once, after the backlog is drained: only then does the kernel deliver again.
  REQUIRE(loop.run_until([&] { return seen.overruns > 0; }));
  CHECK(seen.overruns == 1);
  sh("ip link set v1 down");
  CHECK(loop.run_until([&] { return seen.saw_link(veth.v1, false); }));
}

// --- VrrpSocket4 ----------------------------------------------------------------------------

namespace {

struct Datagrams {
  std::vector<std::vector<std::uint8_t>> received;
  floatd::net::VrrpSocket4::Receiver receiver() {
    return [this](std::span<const std::uint8_t> d) { received.emplace_back(d.begin(), d.end()); };
  }
};

std::vector<std::uint8_t> advert_from(const IpAddress& source) {
  floatd::Advert advert;
  advert.vrid = 51;
  advert.priority = 100;
  advert.max_advert_interval = floatd::Centiseconds{100};
  advert.addresses = {ip("192.0.2.100")};
  return floatd::packet::encode(advert, source, floatd::net::kVrrpGroupV4);
}

}  // namespace

TEST_CASE("vrrp socket: an advert from v0 arrives on v1 with TTL 255 and v0's address") {
  VethPair veth;
  // Both ends live in one namespace, so 192.0.2.1 is a local address there and v1 would drop a
  // packet from it as a martian source. Peers on separate hosts don't have that problem.
  sh("sysctl -qw net.ipv4.conf.v1.accept_local=1");
  Loop loop;
  Datagrams on_v0;
  Datagrams on_v1;
  floatd::net::VrrpSocket4 sender(loop.get(), veth.v0, "v0", ip("192.0.2.1"), on_v0.receiver());
  floatd::net::VrrpSocket4 receiver(loop.get(), veth.v1, "v1", ip("192.0.2.2"), on_v1.receiver());
  CHECK(sender.source() == ip("192.0.2.1"));

  const auto message = advert_from(sender.source());
  REQUIRE(sender.send(message) == 0);
  REQUIRE(loop.run_until([&] { return !on_v1.received.empty(); }));

  const auto& datagram = on_v1.received.front();
  REQUIRE(datagram.size() == 20 + message.size());
  CHECK(datagram[8] == 255);  // TTL
  CHECK(datagram[9] == 112);  // protocol
  CHECK(IpAddress::from_bytes(Family::V4, std::span(datagram).subspan(12, 4)) == ip("192.0.2.1"));
  CHECK(IpAddress::from_bytes(Family::V4, std::span(datagram).subspan(16, 4)) == ip("224.0.0.18"));
  CHECK(std::equal(message.begin(), message.end(), datagram.begin() + 20));
  const auto decoded = floatd::packet::decode_ipv4(datagram);
  REQUIRE(decoded.decoded);
  CHECK(decoded.decoded->source == ip("192.0.2.1"));

  loop.run_for(200ms);
  CHECK(on_v0.received.empty());  // IP_MULTICAST_LOOP is off
  CHECK(on_v1.received.size() == 1);
}

TEST_CASE("vrrp socket: opened while its link is down, it receives once up and after a flap") {
  VethPair veth;
  sh("sysctl -qw net.ipv4.conf.v1.accept_local=1");
  sh("ip link set v1 down");
  REQUIRE(wait_for([] { return !link_up("v1"); }));
  Loop loop;
  Datagrams on_v0;
  Datagrams on_v1;
  floatd::net::VrrpSocket4 receiver(loop.get(), veth.v1, "v1", ip("192.0.2.2"), on_v1.receiver());
  floatd::net::VrrpSocket4 sender(loop.get(), veth.v0, "v0", ip("192.0.2.1"), on_v0.receiver());

  const auto bring_up_and_send = [&] {
    sh("ip link set v1 up");
    REQUIRE(wait_for([] { return link_up("v0") && link_up("v1"); }));
    REQUIRE(sender.send(advert_from(sender.source())) == 0);
  };
  bring_up_and_send();
  CHECK(loop.run_until([&] { return on_v1.received.size() == 1; }));

  // The membership survives the interface going down and up: no need to reopen the socket.
  sh("ip link set v1 down");
  REQUIRE(wait_for([] { return !link_up("v1"); }));
  bring_up_and_send();
  CHECK(loop.run_until([&] { return on_v1.received.size() == 2; }));
}

TEST_CASE("vrrp socket: setup failures throw system_error naming the call") {
  VethPair veth;
  Loop loop;
  Datagrams ignored;
  const auto open = [&](const char* ifname, const char* source) {
    floatd::net::VrrpSocket4 socket(loop.get(), veth.v0, ifname, ip(source), ignored.receiver());
  };
  try {
    open("nosuch0", "192.0.2.1");
    FAIL("expected an exception");
  } catch (const std::system_error& e) {
    CHECK(std::string(e.what()).find("SO_BINDTODEVICE") != std::string::npos);
    CHECK(std::string(e.what()).find("nosuch0") != std::string::npos);
  }
  try {
    open("v0", "2001:db8::1");
    FAIL("expected an exception");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::errc::address_family_not_supported);
  }
}

TEST_CASE("vrrp socket: a source address the host does not have fails at send, not before") {
  VethPair veth;
  Loop loop;
  Datagrams ignored;
  floatd::net::VrrpSocket4 socket(loop.get(), veth.v0, "v0", ip("198.18.0.1"), ignored.receiver());
  CHECK(socket.send(advert_from(socket.source())) != 0);  // ENETUNREACH on Linux 6.x
}

// --- GarpSender -----------------------------------------------------------------------------

namespace {

// A packet socket that sees the ARP frames arriving on one interface.
class ArpListener {
 public:
  explicit ArpListener(int ifindex)
      : fd_(socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP))) {
    REQUIRE(fd_.get() >= 0);
    sockaddr_ll where{};
    where.sll_family = AF_PACKET;
    where.sll_protocol = htons(ETH_P_ARP);
    where.sll_ifindex = ifindex;
    REQUIRE(bind(fd_.get(), reinterpret_cast<sockaddr*>(&where), sizeof where) == 0);
  }

  struct Frame {
    sockaddr_ll from{};
    std::vector<std::uint8_t> arp;
  };

  // The next frame that matches, or nullopt at the deadline.
  std::optional<Frame> next(const std::function<bool(const Frame&)>& wanted) {
    const auto deadline = Clock::now() + kWait;
    while (Clock::now() < deadline) {
      pollfd p{fd_.get(), POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      Frame frame;
      frame.arp.resize(1500);
      socklen_t len = sizeof frame.from;
      const ssize_t n = recvfrom(fd_.get(), frame.arp.data(), frame.arp.size(), 0,
                                 reinterpret_cast<sockaddr*>(&frame.from), &len);
      if (n < 0) continue;
      frame.arp.resize(static_cast<std::size_t>(n));
      if (wanted(frame)) return frame;
    }
    return std::nullopt;
  }

 private:
  floatd::net::UniqueFd fd_;
};

}  // namespace

TEST_CASE("garp: v1 hears 'who-has VIP tell VIP' broadcast from v0's MAC") {
  VethPair veth;
  const auto v0 = floatd::net::query_link("v0");
  REQUIRE(v0);
  const IpAddress vip = ip("192.0.2.100");
  ArpListener listener(veth.v1);
  floatd::net::GarpSender garp;

  REQUIRE(garp.send(veth.v0, v0->mac, vip) == 0);
  const auto frame = listener.next([](const ArpListener::Frame& f) {
    return f.from.sll_pkttype != PACKET_OUTGOING && f.arp.size() >= 28;
  });
  REQUIRE(frame);
  const auto& arp = frame->arp;
  CHECK(frame->from.sll_pkttype == PACKET_BROADCAST);
  CHECK(std::equal(v0->mac.begin(), v0->mac.end(), frame->from.sll_addr));  // Ethernet source
  CHECK(arp[0] == 0);
  CHECK(arp[1] == ARPHRD_ETHER);
  CHECK(arp[2] == 0x08);
  CHECK(arp[3] == 0x00);
  CHECK(arp[4] == 6);
  CHECK(arp[5] == 4);
  CHECK(arp[7] == ARPOP_REQUEST);
  CHECK(std::equal(v0->mac.begin(), v0->mac.end(), arp.begin() + 8));                     // sha
  CHECK(std::equal(vip.bytes().begin(), vip.bytes().end(), arp.begin() + 14));            // spa
  CHECK(std::all_of(arp.begin() + 18, arp.begin() + 24, [](auto b) { return b == 0; }));  // tha
  CHECK(std::equal(vip.bytes().begin(), vip.bytes().end(), arp.begin() + 24));            // tpa

  CHECK(garp.send(veth.v0, v0->mac, ip("2001:db8::100")) == EAFNOSUPPORT);
}
