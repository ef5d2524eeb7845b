// floatd doctor: does the packet filter let VRRP adverts (IPv4, protocol 112, to 224.0.0.18)
// in on and out of each instance's interface?
//
// The rulesets (nftables, iptables) are turned into this small model by doctor_firewall_parse
// and walked here for one packet at a time, with three-valued logic: a condition the model
// cannot decide (a source address, conntrack state, a mark) is "maybe", and so is everything
// that follows from it. So the verdict is honest: "drops" only when every path through the
// chain ends in a drop, "may drop" when some path does.
#pragma once
#include <string>
#include <vector>

#include "agent/doctor_finding.hpp"
#include "conf/config.hpp"

namespace floatd::doctor::fw {

enum class Tri { No, Maybe, Yes };

// What a condition looks at, as far as a VRRP advert is concerned.
enum class Field {
  L3Proto,      // meta nfproto / meta protocol: "ipv4", "ip" match
  L4Proto,      // ip protocol, meta l4proto, -p: "vrrp", "112" (or "all") match
  DestAddr,     // ip daddr, -d: addresses, "a/n" prefixes, "a-b" ranges
  DestType,     // -m addrtype --dst-type: "MULTICAST" matches
  InIface,      // iifname, -i: names, "eth*" (nft) / "eth+" (iptables) wildcards
  OutIface,     // oifname, -o
  PktType,      // meta pkttype, -m pkttype: "multicast" matches (received adverts)
  CtState,      // ct state, -m conntrack/state: "new" matches. An advert never answers
                // anything this host sent, so conntrack never sees it as established/related
  OtherHeader,  // tcp dport, udp, icmp, ip6 ...: a header an advert does not have: never matches
  Unknown,      // anything else: maybe
};

struct Match {
  Field field = Field::Unknown;
  bool negated = false;
  std::vector<std::string> values;  // alternatives (a set)
  bool unresolved = false;          // some value could not be read (a set we do not know)
};

enum class Verdict { Continue, Accept, Drop, Jump, Goto, Return, Unknown };

struct Rule {
  std::vector<Match> matches;  // all must hold
  Verdict verdict = Verdict::Continue;
  std::string target;          // Jump / Goto: the chain's key
  std::string where;           // for messages: "rule handle 7", "-A INPUT -p vrrp -j DROP"
};

enum class Hook { None, Input, Output };

struct Chain {
  std::string key;      // unique within the ruleset; what Rule::target names
  std::string display;  // "inet filter input", "filter INPUT"
  std::string family;   // nft: "ip" / "inet"; iptables: ""
  std::string table;
  std::string name;
  Hook hook = Hook::None;  // a base chain on the input or output hook
  bool policy_drop = false;
  std::vector<Rule> rules;
};

struct Ruleset {
  std::string source;  // "nftables" or "iptables"
  std::vector<Chain> chains;
};

// One advert, seen on one hook: arriving on `ifname` (Input) or leaving through it (Output).
struct Packet {
  std::string ifname;
  Hook direction = Hook::Input;
};

Tri evaluate_match(const Match& match, const Packet& packet);
Tri evaluate_rule(const Rule& rule, const Packet& packet);

// What can become of the packet in a base chain.
struct ChainOutcome {
  bool may_accept = false;
  bool may_drop = false;
  std::vector<std::string> drop_causes;  // "policy drop", "rule handle 7 in chain inet filter foo"
};
ChainOutcome evaluate_base_chain(const Ruleset& ruleset, const Chain& chain, const Packet& packet);

// What the doctor gathered: the rulesets it could read, and why others could not be read
// ("nft: Operation not permitted"; each becomes a note).
struct FirewallFacts {
  std::vector<Ruleset> rulesets;
  std::vector<std::string> notes;
};

Findings evaluate_firewall(const conf::Config& config, const FirewallFacts& facts);

}  // namespace floatd::doctor::fw
