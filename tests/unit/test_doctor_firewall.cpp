// floatd doctor: packet filter rulesets (nft JSON as nft 1.0.6 prints it, iptables-save) and
// whether they let VRRP adverts in on and out of the instances' interfaces.
#include <doctest/doctest.h>

#include <string>

#include "agent/doctor_firewall.hpp"
#include "agent/doctor_firewall_parse.hpp"
#include "doctor_helpers.hpp"

using namespace floatd::doctor;
using namespace floatd::doctor::fw;
using doctor_test::contains;
using doctor_test::count;

namespace {

const auto kConfig = doctor_test::config(R"(
[[instance]]
name = "web"
interface = "eth0"
vrid = 51
vips = ["192.0.2.100/24"]
)");

// An nft ruleset: `header` then one inet filter input chain with `policy` and `rules` (each
// a JSON "expr" array), handles from 10 up. Extra items (sets, chains) go in `extra`.
std::string nft(const std::string& policy, const std::vector<std::string>& rules,
                const std::string& extra = "") {
  std::string items =
      R"({"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
         {"table": {"family": "inet", "name": "filter", "handle": 1}},
         {"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1,
                    "type": "filter", "hook": "input", "prio": 0, "policy": ")" + policy + R"("}})";
  int handle = 10;
  for (const auto& expr : rules) {
    items += R"(, {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": )" +
             std::to_string(handle++) + R"(, "expr": )" + expr + "}}";
  }
  if (!extra.empty()) items += ", " + extra;
  return R"({"nftables": [)" + items + "]}";
}

const std::string kAccept = R"({"accept": null})";
const std::string kDrop = R"({"drop": null})";
std::string match(const std::string& left, const std::string& right, const std::string& op = "==") {
  return R"({"match": {"op": ")" + op + R"(", "left": )" + left + R"(, "right": )" + right + "}}";
}
const std::string kProto = R"({"payload": {"protocol": "ip", "field": "protocol"}})";
const std::string kDaddr = R"({"payload": {"protocol": "ip", "field": "daddr"}})";
const std::string kSaddr = R"({"payload": {"protocol": "ip", "field": "saddr"}})";
const std::string kIif = R"({"meta": {"key": "iifname"}})";
const std::string kCtState = R"({"ct": {"key": "state"}})";
const std::string kTcpDport = R"({"payload": {"protocol": "tcp", "field": "dport"}})";

Findings judge_nft(const std::string& json) {
  std::string error;
  auto ruleset = parse_nft_json(json, error);
  REQUIRE_MESSAGE(ruleset, error);
  return evaluate_firewall(kConfig, FirewallFacts{{*ruleset}, {}});
}

Findings judge_iptables(const std::string& text) {
  return evaluate_firewall(kConfig, FirewallFacts{{parse_iptables_save(text)}, {}});
}

}  // namespace

TEST_CASE("doctor firewall: no ruleset, or an accepting one, lets adverts through") {
  CHECK(judge_nft(R"({"nftables": [{"metainfo": {"version": "1.0.6"}}]})").empty());
  CHECK(judge_nft(nft("accept", {})).empty());
  CHECK(evaluate_firewall(kConfig, FirewallFacts{}).empty());
}

TEST_CASE("doctor firewall: a drop policy without a way in for VRRP drops adverts: an error") {
  const auto findings = judge_nft(nft("drop", {
      "[" + match(kCtState, R"(["established", "related"])", "in") + ", " + kAccept + "]",
      "[" + match(kIif, R"("lo")") + ", " + kAccept + "]",
      "[" + match(kTcpDport, "22") + ", " + kAccept + "]",
  }));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Error);
  CHECK(findings[0].subject == "firewall (nftables)");
  CHECK(contains(findings[0].problem, "chain 'inet filter input' drops VRRP adverts"));
  CHECK(contains(findings[0].problem, "arriving on eth0"));
  CHECK(contains(findings[0].problem, "the policy of chain 'inet filter input' is drop"));
  CHECK(contains(findings[0].fix, "nft insert rule inet filter input iifname \"eth0\" ip protocol "
                                  "vrrp ip daddr 224.0.0.18 accept"));
}

TEST_CASE("doctor firewall: VRRP accepted by protocol, address, prefix, set or interface") {
  for (const std::string& accept : {
           match(kProto, R"("vrrp")"),
           match(R"({"meta": {"key": "l4proto"}})", "112"),
           match(kDaddr, R"({"prefix": {"addr": "224.0.0.0", "len": 4}})"),
           match(kDaddr, R"({"set": [{"prefix": {"addr": "10.0.0.0", "len": 8}}, "224.0.0.18"]})"),
           match(kProto, R"({"set": ["tcp", "vrrp"]})"),
           match(kIif, R"("eth*")"),
           match(R"({"meta": {"key": "pkttype"}})", R"("multicast")"),
       }) {
    CAPTURE(accept);
    CHECK(judge_nft(nft("drop", {"[" + accept + ", " + kAccept + "]"})).empty());
  }
  // A named set of the same table.
  const std::string set = R"({"set": {"family": "inet", "name": "vrrp", "table": "filter",
                                      "type": "ipv4_addr", "handle": 4, "elem": ["224.0.0.18"]}})";
  CHECK(judge_nft(nft("drop", {"[" + match(kDaddr, R"("@vrrp")") + ", " + kAccept + "]"}, set))
            .empty());
}

TEST_CASE("doctor firewall: an accept that depends on what we cannot know: may drop, a warning") {
  const auto findings = judge_nft(nft("drop", {
      "[" + match(kSaddr, R"({"prefix": {"addr": "192.0.2.0", "len": 24}})") + ", " + kAccept + "]",
  }));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Warning);
  CHECK(contains(findings[0].problem, "may drop"));
}

TEST_CASE("doctor firewall: explicit drops, direct or in a jumped-to chain, are errors") {
  const std::string foo_chain =
      R"({"chain": {"family": "inet", "table": "filter", "name": "foo", "handle": 2}},
         {"rule": {"family": "inet", "table": "filter", "chain": "foo", "handle": 24,
                   "expr": [)" + match(kProto, R"("vrrp")") + ", " + kDrop + "]}}";
  auto findings = judge_nft(nft("accept", {R"([{"jump": {"target": "foo"}}])"}, foo_chain));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Error);
  CHECK(contains(findings[0].problem, "rule handle 24 in chain 'inet filter foo'"));

  findings = judge_nft(nft("accept", {
      "[" + match(kIif, R"("eth0")", "!=") + ", " + kDrop + "]",   // not eth0: skipped
      "[" + match(kProto, R"("vrrp")") + R"(, {"reject": {"type": "icmp"}}])",
  }));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Error);
  CHECK(contains(findings[0].problem, "rule handle 11"));
}

TEST_CASE("doctor firewall: an accept before the drop wins; other families are ignored") {
  CHECK(judge_nft(nft("accept", {
                      "[" + match(kProto, R"("vrrp")") + ", " + kAccept + "]",
                      "[" + match(kProto, R"("vrrp")") + ", " + kDrop + "]",
                  }))
            .empty());
  const std::string ip6 = R"({"nftables": [
      {"chain": {"family": "ip6", "table": "f", "name": "in", "hook": "input", "policy": "drop"}}]})";
  CHECK(judge_nft(ip6).empty());
}

TEST_CASE("doctor firewall: an output chain that drops our own adverts, with its fix") {
  const std::string json = R"({"nftables": [
      {"chain": {"family": "ip", "table": "t", "name": "out", "hook": "output", "policy": "drop"}},
      {"rule": {"family": "ip", "table": "t", "chain": "out", "handle": 3,
                "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}},
                                    "right": "eth0"}}, {"accept": null}]}}]})";
  const auto findings = judge_nft(json);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Warning);  // iifname on output: undecided
  CHECK(contains(findings[0].problem, "leaving through eth0"));
  CHECK(contains(findings[0].fix, "nft insert rule ip t out oifname \"eth0\" ip protocol vrrp "
                                  "accept"));
}

TEST_CASE("doctor firewall: a verdict map is followed no further: may drop") {
  const auto findings = judge_nft(nft("accept", {R"([{"vmap": {"key": {}, "data": {}}}])"}));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Warning);
}

TEST_CASE("doctor firewall: not nft JSON is refused with a reason") {
  std::string error;
  CHECK_FALSE(parse_nft_json("table inet filter {", error));
  CHECK(contains(error, "nft -j list ruleset"));
  CHECK_FALSE(parse_nft_json(R"({"other": []})", error));
}

TEST_CASE("doctor firewall: iptables-save, a typical host firewall with VRRP allowed") {
  const std::string text = R"(# Generated by iptables-save v1.8.9 on Mon Dec  1 00:00:00 2026
*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -p vrrp -j DROP
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh from -p vrrp" -j ACCEPT
-A INPUT -i eth0 -p vrrp -d 224.0.0.18/32 -j ACCEPT
COMMIT
)";
  CHECK(judge_iptables(text).empty());
  CHECK_FALSE(iptables_save_is_nft(text));
  CHECK(iptables_save_is_nft("# Generated by iptables-nft-save v1.8.9 on ...\n*filter\n"));
}

TEST_CASE("doctor firewall: iptables-save, a drop policy and only conntrack/ssh accepts") {
  const std::string text = R"(*filter
:INPUT DROP [0:0]
:OUTPUT ACCEPT [0:0]
:checks - [0:0]
[5:300] -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
-A INPUT ! -i eth0 -j ACCEPT
-A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT
-A INPUT -j LOG --log-prefix "in: "
-A INPUT -j checks
-A checks -p udp -j RETURN
COMMIT
)";
  const auto findings = judge_iptables(text);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Error);
  CHECK(findings[0].subject == "firewall (iptables)");
  CHECK(contains(findings[0].problem, "chain 'filter INPUT' drops"));
  CHECK(contains(findings[0].fix, "iptables -I INPUT -i eth0 -p vrrp -d 224.0.0.18 -j ACCEPT"));
}

TEST_CASE("doctor firewall: iptables-save, explicit drops and undecidable accepts") {
  auto findings = judge_iptables("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p 112 -j REJECT "
                                 "--reject-with icmp-port-unreachable\nCOMMIT\n");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Error);
  CHECK(contains(findings[0].problem, "-A INPUT -p 112 -j REJECT"));

  findings = judge_iptables("*filter\n:INPUT DROP [0:0]\n-A INPUT -s 192.0.2.0/24 -j ACCEPT\n"
                            "COMMIT\n");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == Severity::Warning);

  findings = judge_iptables("*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -o eth+ -j ACCEPT\nCOMMIT\n");
  CHECK(findings.empty());
  findings = judge_iptables("*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -o eth1 -j ACCEPT\nCOMMIT\n");
  REQUIRE(findings.size() == 1);
  CHECK(contains(findings[0].fix, "iptables -I OUTPUT -o eth0 -p vrrp -j ACCEPT"));
}

TEST_CASE("doctor firewall: rule-level logic is three-valued") {
  const Packet in{"eth0", Hook::Input};
  CHECK(evaluate_match({Field::L4Proto, false, {"vrrp"}, false}, in) == Tri::Yes);
  CHECK(evaluate_match({Field::L4Proto, true, {"vrrp"}, false}, in) == Tri::No);
  CHECK(evaluate_match({Field::L4Proto, false, {"100-120"}, false}, in) == Tri::Yes);
  CHECK(evaluate_match({Field::L4Proto, false, {"tcp"}, true}, in) == Tri::Maybe);
  CHECK(evaluate_match({Field::OtherHeader, true, {"tcp"}, false}, in) == Tri::No);
  CHECK(evaluate_match({Field::DestAddr, false, {"224.0.0.1-224.0.0.20"}, false}, in) == Tri::Yes);
  CHECK(evaluate_match({Field::DestAddr, false, {"192.0.2.0/24"}, false}, in) == Tri::No);
  CHECK(evaluate_match({Field::CtState, false, {"new", "established"}, false}, in) == Tri::Yes);
  CHECK(evaluate_rule({{{Field::L4Proto, false, {"vrrp"}, false},
                        {Field::Unknown, false, {}, false}},
                       Verdict::Accept, "", ""},
                      in) == Tri::Maybe);
  CHECK(count(Findings{}, Severity::Error) == 0);
}
