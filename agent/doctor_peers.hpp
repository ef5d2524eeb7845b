// floatd doctor: who else speaks VRRP on the instances' interfaces. doctor_listen listens
// passively (never sends) for a few advert intervals; this file judges what was heard.
//
// Another virtual router with one of our VRIDs on the same segment takes part in our
// election: whoever wins, one side announces addresses the other side's clients do not
// expect (RFC 5798 requires a VRID to be unique per segment). A VRRPv2 speaker on one of our
// VRIDs (keepalived's default version) is ignored by floatd and ignores floatd: both may
// become MASTER.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/advert.hpp"
#include "agent/doctor_finding.hpp"
#include "agent/ip_address.hpp"
#include "agent/time.hpp"
#include "conf/config.hpp"

namespace floatd::doctor {

struct HeardAdvert {
  IpAddress source;
  std::uint8_t vrid = 0;
  int version = 0;               // from the first byte, also when the rest did not decode
  std::optional<Advert> advert;  // decoded (VRRPv3, valid)
  std::string undecodable;       // the codec's drop reason when it did not decode
  int count = 1;
};

// One datagram as the raw socket delivers it (IPv4 header + VRRP). nullopt when it is too
// short to even show a source and a VRID.
std::optional<HeardAdvert> classify_datagram(std::span<const std::uint8_t> datagram);

inline constexpr std::size_t kMaxHeard = 256;

// Adds `advert` to `heard`, merged with an earlier one of the same source and VRID; a new
// (source, VRID) beyond kMaxHeard is dropped.
void record_heard(std::vector<HeardAdvert>& heard, HeardAdvert advert);

struct ListenFacts {
  std::string error;     // listening was not possible ("socket: Operation not permitted")
  Duration duration{0};  // how long we listened
  std::vector<HeardAdvert> heard;
};

using ListenTable = std::map<std::string, ListenFacts>;  // by interface; absent: not listened

Findings evaluate_peers(const conf::Config& config, const ListenTable& listened);

}  // namespace floatd::doctor
