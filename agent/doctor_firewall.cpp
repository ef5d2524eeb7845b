#include "agent/doctor_firewall.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "agent/doctor_config_view.hpp"
#include "agent/ip_address.hpp"

namespace floatd::doctor::fw {
namespace {

constexpr int kMaxJumpDepth = 16;  // nft and iptables refuse loops; this bounds our walk anyway
const IpAddress kVrrpGroup = *IpAddress::parse("224.0.0.18");

Tri from_bool(bool b) { return b ? Tri::Yes : Tri::No; }

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::optional<long> to_number(std::string_view s) {
  long value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

Tri protocol_matches(const std::string& value) {
  const std::string v = lowercase(value);
  if (v == "vrrp" || v == "112" || v == "all" || v == "0") return Tri::Yes;
  if (const auto dash = v.find('-'); dash != std::string::npos) {  // "100-120"
    const auto lo = to_number(std::string_view(v).substr(0, dash));
    const auto hi = to_number(std::string_view(v).substr(dash + 1));
    if (!lo || !hi) return Tri::Maybe;
    return from_bool(*lo <= 112 && 112 <= *hi);
  }
  // Another number, or another name of /etc/protocols (tcp, udp, icmp...): never 112.
  return Tri::No;
}

Tri address_matches(const std::string& value) {
  if (const auto dash = value.find('-'); dash != std::string::npos) {
    const auto lo = IpAddress::parse(value.substr(0, dash));
    const auto hi = IpAddress::parse(value.substr(dash + 1));
    if (!lo || !hi || lo->family() != Family::V4) return Tri::Maybe;
    return from_bool(*lo <= kVrrpGroup && kVrrpGroup <= *hi);
  }
  const auto prefix = IpPrefix::parse(value);
  if (!prefix) return Tri::Maybe;  // a name, a set we do not know
  return from_bool(prefix_contains(*prefix, kVrrpGroup));
}

// "eth*" (nft) and "eth+" (iptables) match every name that starts with "eth".
Tri interface_matches(const std::string& pattern, const std::string& ifname) {
  if (!pattern.empty() && (pattern.back() == '*' || pattern.back() == '+')) {
    return from_bool(ifname.starts_with(pattern.substr(0, pattern.size() - 1)));
  }
  return from_bool(pattern == ifname);
}

Tri value_matches(Field field, const std::string& value, const Packet& packet) {
  switch (field) {
    case Field::L3Proto: {
      const std::string v = lowercase(value);
      return from_bool(v == "ipv4" || v == "ip" || v == "2" || v == "0x0800");
    }
    case Field::L4Proto: return protocol_matches(value);
    case Field::DestAddr: return address_matches(value);
    case Field::DestType: return from_bool(lowercase(value) == "multicast");
    case Field::InIface:
      return packet.direction == Hook::Input ? interface_matches(value, packet.ifname)
                                             : Tri::Maybe;
    case Field::OutIface:
      return packet.direction == Hook::Output ? interface_matches(value, packet.ifname)
                                              : Tri::Maybe;
    case Field::PktType:
      // Only received packets are classified for sure; ours on output are left undecided.
      return packet.direction == Hook::Input ? from_bool(lowercase(value) == "multicast")
                                             : Tri::Maybe;
    case Field::CtState: {
      const std::string v = lowercase(value);
      if (v == "new") return Tri::Yes;
      if (v == "established" || v == "related" || v == "invalid") return Tri::No;
      return Tri::Maybe;
    }
    case Field::OtherHeader: return Tri::No;
    case Field::Unknown: return Tri::Maybe;
  }
  return Tri::Maybe;
}

Tri negate(Tri t) {
  if (t == Tri::Yes) return Tri::No;
  if (t == Tri::No) return Tri::Yes;
  return Tri::Maybe;
}

struct Walk {
  bool may_accept = false;
  bool may_drop = false;
  bool may_return = false;  // the chain can end without a verdict (fall through, return)
  std::vector<std::string> drop_causes;

  void merge_terminal(const Walk& sub) {
    may_accept |= sub.may_accept;
    may_drop |= sub.may_drop;
    drop_causes.insert(drop_causes.end(), sub.drop_causes.begin(), sub.drop_causes.end());
  }
};

const Chain* find_chain(const Ruleset& ruleset, const std::string& key) {
  for (const Chain& c : ruleset.chains) {
    if (c.key == key) return &c;
  }
  return nullptr;
}

Walk walk_chain(const Ruleset& ruleset, const Chain& chain, const Packet& packet, int depth);

// Jump (and goto) into another chain: its accept and drop are final; its end (or a return)
// comes back here for a jump, and ends this chain too for a goto.
Walk walk_jump(const Ruleset& ruleset, const Rule& rule, const Packet& packet, int depth) {
  const Chain* target = find_chain(ruleset, rule.target);
  if (!target || depth >= kMaxJumpDepth) {
    Walk unknown;  // an unknown chain could do anything
    unknown.may_accept = unknown.may_drop = unknown.may_return = true;
    unknown.drop_causes.push_back(fmt::format("{} (into chain '{}', not inspected)", rule.where,
                                              rule.target));
    return unknown;
  }
  return walk_chain(ruleset, *target, packet, depth + 1);
}

Walk walk_chain(const Ruleset& ruleset, const Chain& chain, const Packet& packet, int depth) {
  Walk walk;
  const auto cause = [&chain](const Rule& rule) {
    return fmt::format("{} in chain '{}'", rule.where, chain.display);
  };
  for (const Rule& rule : chain.rules) {
    const Tri applies = evaluate_rule(rule, packet);
    if (applies == Tri::No) continue;
    const bool certain = applies == Tri::Yes;
    switch (rule.verdict) {
      case Verdict::Continue: continue;
      case Verdict::Accept:
        walk.may_accept = true;
        if (certain) return walk;
        continue;
      case Verdict::Drop:
        walk.may_drop = true;
        walk.drop_causes.push_back(cause(rule));
        if (certain) return walk;
        continue;
      case Verdict::Return:
        walk.may_return = true;
        if (certain) return walk;
        continue;
      case Verdict::Jump:
      case Verdict::Goto: {
        const Walk sub = walk_jump(ruleset, rule, packet, depth);
        walk.merge_terminal(sub);
        if (rule.verdict == Verdict::Goto) walk.may_return |= sub.may_return;
        // Certain and the sub-chain always decides (or a goto): nothing after this runs.
        if (certain && (!sub.may_return || rule.verdict == Verdict::Goto)) return walk;
        continue;
      }
      case Verdict::Unknown:  // a verdict map, a queue: could be anything
        walk.may_accept = walk.may_drop = true;
        walk.drop_causes.push_back(cause(rule) + " (a verdict this check cannot follow)");
        continue;
    }
  }
  walk.may_return = true;
  return walk;
}

std::string direction_text(Hook direction, const std::string& ifname) {
  return direction == Hook::Input ? "arriving on " + ifname : "leaving through " + ifname;
}

std::string accept_fix(const Ruleset& ruleset, const Chain& chain, const Packet& packet) {
  const bool in = packet.direction == Hook::Input;
  if (ruleset.source == "iptables") {
    return fmt::format("accept them first: iptables -I {} {} {} -p vrrp{} -j ACCEPT (and save "
                       "it where your firewall configuration is kept)",
                       chain.name, in ? "-i" : "-o", packet.ifname, in ? " -d 224.0.0.18" : "");
  }
  return fmt::format("accept them first: nft insert rule {} {} {} {} \"{}\" ip protocol vrrp{} "
                     "accept (and add it to /etc/nftables.conf or wherever the ruleset is kept)",
                     chain.family, chain.table, chain.name, in ? "iifname" : "oifname",
                     packet.ifname, in ? " ip daddr 224.0.0.18" : "");
}

std::string causes_text(const std::vector<std::string>& causes) {
  std::vector<std::string> seen;  // a chain jumped to twice lists its rule once
  for (const auto& c : causes) {
    if (std::find(seen.begin(), seen.end(), c) == seen.end()) seen.push_back(c);
  }
  std::string out;
  for (const auto& c : seen) out += (out.empty() ? "" : "; ") + c;
  return out;
}

std::optional<Finding> check_chain(const Ruleset& ruleset, const Chain& chain,
                                   const Packet& packet, const std::string& who) {
  const ChainOutcome outcome = evaluate_base_chain(ruleset, chain, packet);
  if (!outcome.may_drop) return std::nullopt;
  const bool surely = !outcome.may_accept;
  return Finding{
      surely ? Severity::Error : Severity::Warning, "firewall (" + ruleset.source + ")",
      fmt::format("chain '{}' {} VRRP adverts (IP protocol 112 to 224.0.0.18) {}: {}. Without "
                  "them the peers of {} cannot see each other and both become MASTER",
                  chain.display, surely ? "drops" : "may drop",
                  direction_text(packet.direction, packet.ifname), causes_text(outcome.drop_causes),
                  who),
      accept_fix(ruleset, chain, packet)};
}

}  // namespace

Tri evaluate_match(const Match& match, const Packet& packet) {
  Tri any = match.unresolved ? Tri::Maybe : Tri::No;
  for (const std::string& value : match.values) {
    const Tri t = value_matches(match.field, value, packet);
    if (t == Tri::Yes) {
      any = Tri::Yes;
      break;
    }
    if (t == Tri::Maybe) any = Tri::Maybe;
  }
  if (match.field == Field::Unknown) any = Tri::Maybe;
  // A header the advert does not have fails negated or not ("tcp dport != 22" needs TCP).
  if (match.field == Field::OtherHeader) return Tri::No;
  return match.negated ? negate(any) : any;
}

Tri evaluate_rule(const Rule& rule, const Packet& packet) {
  Tri all = Tri::Yes;
  for (const Match& m : rule.matches) {
    const Tri t = evaluate_match(m, packet);
    if (t == Tri::No) return Tri::No;
    if (t == Tri::Maybe) all = Tri::Maybe;
  }
  return all;
}

ChainOutcome evaluate_base_chain(const Ruleset& ruleset, const Chain& chain, const Packet& packet) {
  const Walk walk = walk_chain(ruleset, chain, packet, 0);
  ChainOutcome outcome{walk.may_accept, walk.may_drop, walk.drop_causes};
  if (walk.may_return) {  // the end of a base chain: its policy decides
    if (chain.policy_drop) {
      outcome.may_drop = true;
      outcome.drop_causes.push_back(fmt::format("the policy of chain '{}' is drop", chain.display));
    } else {
      outcome.may_accept = true;
    }
  }
  return outcome;
}

Findings evaluate_firewall(const conf::Config& config, const FirewallFacts& facts) {
  Findings out;
  for (const std::string& note : facts.notes) out.push_back({Severity::Note, "firewall", note, ""});
  for (const std::string& ifname : interfaces_of(config)) {
    const std::string who = describe_instances(instances_on(config, ifname));
    for (const Hook direction : {Hook::Input, Hook::Output}) {
      const Packet packet{ifname, direction};
      for (const Ruleset& ruleset : facts.rulesets) {
        for (const Chain& chain : ruleset.chains) {
          if (chain.hook != direction) continue;
          if (auto f = check_chain(ruleset, chain, packet, who)) out.push_back(std::move(*f));
        }
      }
    }
  }
  return out;
}

}  // namespace floatd::doctor::fw
