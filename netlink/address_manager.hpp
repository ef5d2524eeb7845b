// Adds and removes VIPs through libnl (RTM_NEWADDR / RTM_DELADDR) on a blocking request socket.
#pragma once
#include <memory>
#include <string>

#include "agent/ip_address.hpp"
#include "netlink/handles.hpp"

namespace floatd::net {

class AddressManager {
 public:
  AddressManager();  // throws std::runtime_error when netlink cannot be opened
  ~AddressManager();
  AddressManager(const AddressManager&) = delete;
  AddressManager& operator=(const AddressManager&) = delete;

  // Idempotent: "already exists" on add and "not there" on delete count as success.
  // Returns an empty string on success, else the libnl error text.
  std::string add(int ifindex, const IpPrefix& vip, const std::string& label);
  std::string remove(int ifindex, const IpPrefix& vip);

 private:
  // Runs one request and returns 0 or a negative libnl error code. After a timeout or a sequence
  // mismatch the socket is replaced (see the .cpp), so sock_ may be null between requests.
  int transact(bool add, int ifindex, const IpPrefix& vip, const std::string& label);
  NlSock sock_;
};

}  // namespace floatd::net
