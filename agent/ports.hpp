// The seams between the runtime and the outside world. An InstanceRunner sees only these;
// the real implementations (agent/instance_ports.cpp, over netlink/) talk to the kernel,
// the fakes in tests/unit record what was asked.
#pragma once
#include <string>

#include "agent/advert.hpp"
#include "agent/ip_address.hpp"
#include "netlink/vrrp_packet.hpp"

namespace floatd {

// Sends adverts for one virtual router on its interface.
class AdvertSocket {
 public:
  virtual ~AdvertSocket() = default;
  // `checksum`: which IPv4 checksum variant to compute (IPv6 has one). 0 or an errno value.
  virtual int send(const Advert& advert, packet::ChecksumVariant checksum) = 0;
};

// Adds and removes VIPs on one interface. Idempotent; "" on success, else the error text.
class AddressManager {
 public:
  virtual ~AddressManager() = default;
  virtual std::string add(const IpPrefix& vip) = 0;
  virtual std::string remove(const IpPrefix& vip) = 0;
};

// Tells the segment where a VIP lives now (gratuitous ARP for IPv4).
class Announcer {
 public:
  virtual ~Announcer() = default;
  virtual int announce(const IpAddress& vip) = 0;  // 0 or an errno value
};

}  // namespace floatd
