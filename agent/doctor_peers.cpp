#include "agent/doctor_peers.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "agent/doctor_config_view.hpp"
#include "conf/duration.hpp"
#include "netlink/vrrp_packet.hpp"

namespace floatd::doctor {
namespace {

std::set<IpAddress> vip_addresses(const conf::InstanceConfig& instance) {
  std::set<IpAddress> out;
  for (const auto& p : instance.vips) out.insert(p.address);
  return out;
}

std::string join_addresses(const std::vector<IpAddress>& addresses) {
  std::string out;
  for (const auto& a : addresses) out += (out.empty() ? "" : ", ") + a.to_string();
  return out.empty() ? "none" : out;
}

std::string times(int count) { return count == 1 ? "1 advert" : fmt::format("{} adverts", count); }

Finding peer_note(const conf::InstanceConfig& instance, const HeardAdvert& h) {
  return {Severity::Note, "instance '" + instance.name + "'",
          fmt::format("heard a peer of this virtual router: {} (priority {}, every {}; {})",
                      h.source.to_string(), h.advert->priority,
                      conf::format_duration(std::chrono::duration_cast<Duration>(
                          h.advert->max_advert_interval)),
                      times(h.count)),
          ""};
}

Finding conflict(const conf::Config& config, const conf::InstanceConfig& instance,
                 const HeardAdvert& h) {
  return {Severity::Error, "instance '" + instance.name + "'",
          fmt::format("another VRRP router, {}, advertises vrid {} on {} with VIPs {} (priority "
                      "{}), not this instance's {}: both take part in one election, and whoever "
                      "wins announces addresses the other side's clients do not expect",
                      h.source.to_string(), h.vrid, instance.interface,
                      join_addresses(h.advert->addresses), h.advert->priority,
                      join_prefixes(instance.vips)),
          fmt::format("every virtual router on a segment needs its own vrid: change `vrid` of "
                      "instance '{}' in {} (on all its peers) or the other router's; "
                      "tcpdump -ni {} ip proto 112 shows which vrids are taken",
                      instance.name, config.path, instance.interface)};
}

std::string malformed_fix(const std::string& reason) {
  if (reason == "bad_ttl") {
    return "VRRP does not cross routers (the TTL must arrive as 255): put the peers on one "
           "layer-2 segment";
  }
  if (reason == "bad_checksum") {
    return "make the sender speak VRRPv3 as RFC 5798 defines it (keepalived: vrrp_version 3)";
  }
  return "check the sender's VRRP implementation and version (tcpdump -vni IF ip proto 112)";
}

Finding malformed(const conf::InstanceConfig& instance, const HeardAdvert& h) {
  if (h.version == 2) {
    return {Severity::Warning, "instance '" + instance.name + "'",
            fmt::format("a VRRPv2 speaker, {}, uses vrid {} on {} ({}): floatd speaks only "
                        "VRRPv3 and ignores it (and it ignores floatd), so both may become "
                        "MASTER",
                        h.source.to_string(), h.vrid, instance.interface, times(h.count)),
            "make it speak VRRPv3 (keepalived: vrrp_version 3 in global_defs) if it is a peer "
            "of this instance, or give one of the two routers another vrid"};
  }
  return {Severity::Warning, "instance '" + instance.name + "'",
          fmt::format("adverts for vrid {} from {} on {} are dropped as malformed ({}; {})",
                      h.vrid, h.source.to_string(), instance.interface, h.undecodable,
                      times(h.count)),
          malformed_fix(h.undecodable)};
}

void judge(const conf::Config& config, const conf::InstanceConfig& instance,
           const ListenFacts& facts, Findings& out) {
  bool heard_vrid = false;
  for (const HeardAdvert& h : facts.heard) {
    if (h.vrid != instance.vrid) continue;
    heard_vrid = true;
    if (!h.advert) {
      out.push_back(malformed(instance, h));
      continue;
    }
    const std::set<IpAddress> theirs(h.advert->addresses.begin(), h.advert->addresses.end());
    out.push_back(theirs == vip_addresses(instance) ? peer_note(instance, h)
                                                    : conflict(config, instance, h));
  }
  if (!heard_vrid) {
    out.push_back({Severity::Note, "instance '" + instance.name + "'",
                   fmt::format("no adverts for vrid {} heard on {} in {}: no peer is MASTER now "
                               "(or this host is), or their adverts do not get through",
                               instance.vrid, instance.interface,
                               conf::format_duration(facts.duration)),
                   ""});
  }
}

}  // namespace

std::optional<HeardAdvert> classify_datagram(std::span<const std::uint8_t> datagram) {
  // The fields any version shows: IPv4 source, VRRP version and VRID (RFC 3768 / 5798).
  if (datagram.size() < 20 || (datagram[0] >> 4) != 4) return std::nullopt;
  const std::size_t header = static_cast<std::size_t>(datagram[0] & 0x0f) * 4;
  if (header < 20 || datagram.size() < header + 2) return std::nullopt;
  HeardAdvert h;
  h.source = *IpAddress::from_bytes(Family::V4, datagram.subspan(12, 4));
  h.version = datagram[header] >> 4;
  h.vrid = datagram[header + 1];
  const auto result = packet::decode_ipv4(datagram);
  if (result.decoded) {
    h.advert = result.decoded->advert;
  } else {
    h.undecodable = std::string(packet::to_string(result.reason));
  }
  return h;
}

void record_heard(std::vector<HeardAdvert>& heard, HeardAdvert advert) {
  for (HeardAdvert& h : heard) {
    if (h.source == advert.source && h.vrid == advert.vrid) {
      advert.count = h.count + 1;
      h = std::move(advert);  // the latest tells the current priority and addresses
      return;
    }
  }
  // Bounded: a flood of spoofed sources must not grow the doctor without limit.
  if (heard.size() < kMaxHeard) heard.push_back(std::move(advert));
}

Findings evaluate_peers(const conf::Config& config, const ListenTable& listened) {
  Findings out;
  for (const std::string& ifname : interfaces_of(config)) {
    const auto facts = listened.find(ifname);
    if (facts == listened.end()) continue;
    if (!facts->second.error.empty()) {
      out.push_back({Severity::Note, "interface " + ifname,
                     "did not listen for other VRRP speakers: " + facts->second.error,
                     "run floatd doctor as root to hear the adverts on the segment"});
      continue;
    }
    for (const auto* instance : instances_on(config, ifname)) {
      judge(config, *instance, facts->second, out);
    }
  }
  return out;
}

}  // namespace floatd::doctor
