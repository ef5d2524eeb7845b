// Recording fakes of the runtime ports (agent/ports.hpp).
#pragma once
#include <string>
#include <vector>

#include "agent/ports.hpp"

namespace floatd::testing {

struct FakeAdvertSocket : AdvertSocket {
  std::vector<Advert> sent;
  std::vector<packet::ChecksumVariant> checksums;  // of each sent advert
  int error = 0;
  int send(const Advert& advert, packet::ChecksumVariant checksum) override {
    sent.push_back(advert);
    checksums.push_back(checksum);
    return error;
  }
};

// Records operations in order as "add 192.0.2.100/24" / "remove ...".
struct FakeAddressManager : AddressManager {
  std::vector<std::string> log;
  std::string add(const IpPrefix& vip) override {
    log.push_back("add " + vip.to_string());
    return "";
  }
  std::string remove(const IpPrefix& vip) override {
    log.push_back("remove " + vip.to_string());
    return "";
  }
};

struct FakeAnnouncer : Announcer {
  std::vector<IpAddress> announced;
  int announce(const IpAddress& vip) override {
    announced.push_back(vip);
    return 0;
  }
};

}  // namespace floatd::testing
