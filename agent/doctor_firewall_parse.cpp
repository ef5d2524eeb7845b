#include "agent/doctor_firewall_parse.hpp"

#include <map>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace floatd::doctor::fw {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------- nftables JSON

std::string key_of(const json& obj, const std::string& chain) {
  return obj.value("family", "") + " " + obj.value("table", "") + " " + chain;
}

bool ipv4_family(const std::string& family) { return family == "ip" || family == "inet"; }

using NamedSets = std::map<std::string, json>;  // "family table name" -> elements

// Flattens a value of the right-hand side into alternatives: "224.0.0.18", "224.0.0.0/4",
// "a-b" ranges, numbers as text; anything else marks the match unresolved.
void flatten(const json& v, const NamedSets& sets, const std::string& scope, Match& m,
             int depth = 0) {
  if (depth > 8) {
    m.unresolved = true;
  } else if (v.is_string()) {
    const auto s = v.get<std::string>();
    if (s.starts_with('@')) {  // a named set of the same table
      const auto found = sets.find(scope + s.substr(1));
      if (found == sets.end()) {
        m.unresolved = true;
      } else {
        flatten(found->second, sets, scope, m, depth + 1);
      }
    } else {
      m.values.push_back(s);
    }
  } else if (v.is_number_integer()) {
    m.values.push_back(std::to_string(v.get<long long>()));
  } else if (v.is_array()) {
    for (const auto& e : v) flatten(e, sets, scope, m, depth + 1);
  } else if (v.is_object() && v.contains("set")) {
    flatten(v["set"], sets, scope, m, depth + 1);
  } else if (v.is_object() && v.contains("elem") && v["elem"].is_object()) {
    flatten(v["elem"].value("val", json()), sets, scope, m, depth + 1);  // {"elem":{"val":..}}
  } else if (v.is_object() && v.contains("prefix")) {
    const auto& p = v["prefix"];
    m.values.push_back(fmt::format("{}/{}", p.value("addr", ""), p.value("len", 0)));
  } else if (v.is_object() && v.contains("range") && v["range"].is_array() &&
             v["range"].size() == 2 && v["range"][0].is_string() && v["range"][1].is_string()) {
    m.values.push_back(v["range"][0].get<std::string>() + "-" + v["range"][1].get<std::string>());
  } else {
    m.unresolved = true;
  }
}

Field meta_field(const std::string& key) {
  if (key == "iifname") return Field::InIface;
  if (key == "oifname") return Field::OutIface;
  if (key == "l4proto") return Field::L4Proto;
  if (key == "nfproto" || key == "protocol") return Field::L3Proto;
  if (key == "pkttype") return Field::PktType;
  return Field::Unknown;
}

Field payload_field(const std::string& protocol, const std::string& field) {
  if (protocol == "ip") {
    if (field == "protocol") return Field::L4Proto;
    if (field == "daddr") return Field::DestAddr;
    return Field::Unknown;
  }
  // Headers a VRRP advert does not carry: a match on them never holds for it.
  static const std::set<std::string> kOther{"tcp", "udp", "udplite", "sctp", "dccp", "th",
                                            "icmp", "icmpv6", "ip6", "igmp", "ah", "esp",
                                            "comp", "arp", "vlan"};
  return kOther.count(protocol) ? Field::OtherHeader : Field::Unknown;
}

Field left_field(const json& left) {
  if (left.contains("meta")) return meta_field(left["meta"].value("key", ""));
  if (left.contains("ct") && left["ct"].value("key", "") == "state" && !left["ct"].contains("dir")) {
    return Field::CtState;
  }
  if (left.contains("payload")) {
    const auto& p = left["payload"];
    return payload_field(p.value("protocol", ""), p.value("field", ""));
  }
  return Field::Unknown;
}

Match nft_match(const json& m, const NamedSets& sets, const std::string& scope) {
  Match out;
  const std::string op = m.value("op", "==");
  const json left = m.value("left", json::object());
  out.field = left.is_object() ? left_field(left) : Field::Unknown;
  if (op == "!=") {
    out.negated = true;
  } else if (op != "==" && op != "in") {
    out.field = Field::Unknown;  // <, >, bit tests: not modelled
  }
  flatten(m.value("right", json()), sets, scope, out);
  return out;
}

// One statement of a rule's "expr": a condition, a verdict, or neither (counter, log...).
void nft_statement(const json& st, const NamedSets& sets, const std::string& scope, Rule& rule) {
  if (!st.is_object() || st.empty()) return;
  const std::string kind = st.begin().key();
  const json& body = st.begin().value();
  if (kind == "match") {
    rule.matches.push_back(nft_match(body, sets, scope));
  } else if (kind == "accept") {
    rule.verdict = Verdict::Accept;
  } else if (kind == "drop" || kind == "reject") {
    rule.verdict = Verdict::Drop;
  } else if (kind == "return") {
    rule.verdict = Verdict::Return;
  } else if (kind == "jump" || kind == "goto") {
    rule.verdict = kind == "jump" ? Verdict::Jump : Verdict::Goto;
    rule.target = scope + (body.is_object() ? body.value("target", "") : "");
  } else if (kind == "vmap" || kind == "queue") {
    rule.verdict = Verdict::Unknown;
  } else if (kind == "limit" || kind == "quota") {
    rule.matches.push_back(Match{Field::Unknown, false, {}, true});  // over the limit: no match
  }
}

Hook nft_hook(const json& chain) {
  const std::string hook = chain.value("hook", "");
  if (hook == "input") return Hook::Input;
  if (hook == "output") return Hook::Output;
  return Hook::None;
}

void add_chain(const json& c, Ruleset& rs, std::map<std::string, std::size_t>& index) {
  Chain chain;
  chain.family = c.value("family", "");
  chain.table = c.value("table", "");
  chain.name = c.value("name", "");
  chain.key = key_of(c, chain.name);
  chain.display = chain.key;
  chain.hook = nft_hook(c);
  chain.policy_drop = c.value("policy", "accept") == "drop";
  index[chain.key] = rs.chains.size();
  rs.chains.push_back(std::move(chain));
}

void add_rule(const json& r, const NamedSets& sets, Ruleset& rs,
              const std::map<std::string, std::size_t>& index) {
  const auto found = index.find(key_of(r, r.value("chain", "")));
  if (found == index.end()) return;  // a rule of a chain we skipped (another family)
  const std::string scope = r.value("family", "") + " " + r.value("table", "") + " ";
  Rule rule;
  rule.where = fmt::format("rule handle {}", r.value("handle", 0));
  for (const auto& st : r.value("expr", json::array())) nft_statement(st, sets, scope, rule);
  rs.chains[found->second].rules.push_back(std::move(rule));
}

// ---------------------------------------------------------------- iptables-save

// Splits a rule line into words; "double quoted" words keep their spaces.
std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false, in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '\\' && i + 1 < line.size()) {
        word += line[++i];
      } else if (c == '"') {
        quoted = false;
      } else {
        word += c;
      }
    } else if (c == '"') {
      quoted = in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Verdict iptables_target(const std::string& target, const std::set<std::string>& user_chains,
                        bool is_goto) {
  if (target == "ACCEPT") return Verdict::Accept;
  if (target == "DROP" || target == "REJECT") return Verdict::Drop;
  if (target == "RETURN") return Verdict::Return;
  if (user_chains.count(target)) return is_goto ? Verdict::Goto : Verdict::Jump;
  // Targets that only mark, log or count and let the packet go on.
  static const std::set<std::string> kNonTerminal{
      "LOG", "NFLOG", "ULOG", "MARK", "CONNMARK", "TRACE", "AUDIT", "CLASSIFY", "DSCP", "TOS",
      "TTL", "SET", "TCPMSS", "CHECKSUM", "CT", "NOTRACK", "TEE", "SECMARK", "CONNSECMARK"};
  return kNonTerminal.count(target) ? Verdict::Continue : Verdict::Unknown;
}

// Modules that only match one transport protocol (an advert has none of them).
bool transport_module(const std::string& m) {
  static const std::set<std::string> kTransport{"tcp", "udp", "udplite", "icmp", "sctp",
                                                "dccp", "multiport", "tcpmss", "ecn"};
  return kTransport.count(m) > 0;
}

struct IptablesLine {
  const std::vector<std::string>& w;
  std::size_t i = 0;
  bool has() const { return i < w.size(); }
  const std::string& next() { return w[i++]; }
  // Skips the values after an option we do not model (up to the next option).
  void skip_values() {
    while (has() && !w[i].starts_with('-') && w[i] != "!") ++i;
  }
};

Rule iptables_rule(const std::vector<std::string>& words, const std::string& line,
                   const std::set<std::string>& user_chains, const std::string& table) {
  Rule rule;
  rule.where = line;
  IptablesLine in{words, 2};  // after "-A CHAIN"
  bool negate = false;
  std::string module;
  const auto add = [&rule, &negate](Field f, std::string value) {
    rule.matches.push_back(Match{f, negate, {std::move(value)}, false});
    negate = false;
  };
  while (in.has()) {
    const std::string opt = in.next();
    if (opt == "!") {
      negate = true;
    } else if (opt == "-p" || opt == "--protocol") {
      add(Field::L4Proto, in.next());
    } else if (opt == "-d" || opt == "--destination") {
      add(Field::DestAddr, in.next());
    } else if (opt == "-i" || opt == "--in-interface") {
      add(Field::InIface, in.next());
    } else if (opt == "-o" || opt == "--out-interface") {
      add(Field::OutIface, in.next());
    } else if (opt == "-m" || opt == "--match") {
      module = in.next();
      if (transport_module(module)) add(Field::OtherHeader, module);
    } else if (opt == "--pkt-type" && module == "pkttype") {
      add(Field::PktType, in.next());
    } else if (opt == "--dst-type" && module == "addrtype") {
      add(Field::DestType, in.next());
    } else if ((opt == "--ctstate" && module == "conntrack") || (opt == "--state" && module == "state")) {
      Match m{Field::CtState, negate, {}, false};
      std::string_view states = in.next();  // "RELATED,ESTABLISHED"
      while (!states.empty()) {
        const auto comma = states.find(',');
        m.values.emplace_back(states.substr(0, comma));
        states = comma == std::string_view::npos ? std::string_view{} : states.substr(comma + 1);
      }
      rule.matches.push_back(std::move(m));
      negate = false;
    } else if (opt == "--comment" || opt == "-c" || opt == "--set-counters") {
      in.skip_values();
      negate = false;
    } else if (opt == "-j" || opt == "--jump" || opt == "-g" || opt == "--goto") {
      const std::string target = in.next();
      const bool is_goto = opt == "-g" || opt == "--goto";
      rule.verdict = iptables_target(target, user_chains, is_goto);
      rule.target = table + " " + target;
      // The target's own options (--reject-with, --log-prefix) follow: no more conditions.
      break;
    } else {
      // -s, -f, conntrack, state, limit, set, mark ...: undecidable for us. (After a
      // transport module, --dport and friends change nothing: that module never matches.)
      add(Field::Unknown, opt);
      in.skip_values();
    }
  }
  return rule;
}

Hook iptables_hook(const std::string& chain) {
  if (chain == "INPUT") return Hook::Input;
  if (chain == "OUTPUT") return Hook::Output;
  return Hook::None;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
  return lines;
}

}  // namespace

std::optional<Ruleset> parse_nft_json(std::string_view text, std::string& error) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("nftables") ||
      !doc["nftables"].is_array()) {
    error = "not the JSON of `nft -j list ruleset`";
    return std::nullopt;
  }
  Ruleset rs{"nftables", {}};
  NamedSets sets;
  std::map<std::string, std::size_t> index;
  const json& items = doc["nftables"];
  // Sets, then chains, then rules: a rule may name a set or chain listed after it.
  for (const json& item : items) {
    if (item.is_object() && item.contains("set") && item["set"].is_object()) {
      const json& s = item["set"];
      sets[key_of(s, s.value("name", ""))] = s.value("elem", json::array());
    }
  }
  for (const json& item : items) {
    if (item.is_object() && item.contains("chain") && item["chain"].is_object() &&
        ipv4_family(item["chain"].value("family", ""))) {
      add_chain(item["chain"], rs, index);
    }
  }
  for (const json& item : items) {
    if (item.is_object() && item.contains("rule") && item["rule"].is_object()) {
      add_rule(item["rule"], sets, rs, index);
    }
  }
  return rs;
}

Ruleset parse_iptables_save(std::string_view text) {
  Ruleset rs{"iptables", {}};
  const auto lines = lines_of(text);
  std::string table;
  std::set<std::string> user_chains;
  std::map<std::string, std::size_t> index;
  // Chains are declared (":NAME POLICY [counters]") before their rules in each table.
  for (const std::string_view raw : lines) {
    std::string line(raw);
    // `iptables-save -c` puts the counters first: "[12:720] -A INPUT ...".
    if (line.starts_with('[')) {
      if (const auto close = line.find("] "); close != std::string::npos) line.erase(0, close + 2);
    }
    if (line.starts_with('*')) {
      table = line.substr(1);
      user_chains.clear();
    } else if (table != "filter") {
      continue;
    } else if (line.starts_with(':')) {
      const auto words = split_words(std::string_view(line).substr(1));
      if (words.size() < 2) continue;
      Chain c;
      c.table = table;
      c.name = words[0];
      c.key = table + " " + c.name;
      c.display = c.key;
      c.hook = iptables_hook(c.name);
      c.policy_drop = words[1] == "DROP";
      if (words[1] == "-") user_chains.insert(c.name);
      index[c.key] = rs.chains.size();
      rs.chains.push_back(std::move(c));
    } else if (line.starts_with("-A ")) {
      const auto words = split_words(line);
      if (words.size() < 2) continue;
      const auto found = index.find(table + " " + words[1]);
      if (found == index.end()) continue;
      rs.chains[found->second].rules.push_back(iptables_rule(words, line, user_chains, table));
    }
  }
  return rs;
}

bool iptables_save_is_nft(std::string_view text) {
  return text.find("iptables-nft-save") != std::string_view::npos;
}

}  // namespace floatd::doctor::fw
