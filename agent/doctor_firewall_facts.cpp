#include "agent/doctor_firewall_facts.hpp"

#include <chrono>
#include <optional>
#include <string>

#include "agent/doctor_command.hpp"
#include "agent/doctor_firewall_parse.hpp"

namespace floatd::doctor {
namespace {

constexpr std::chrono::seconds kTimeout{10};

// false when nft is not installed.
bool read_nft(fw::FirewallFacts& facts) {
  const auto nft = find_program("nft");
  if (!nft) return false;
  const auto result = run_command({*nft, "-j", "list", "ruleset"}, kTimeout);
  if (!result.ran || result.exit_code != 0) {
    facts.notes.push_back("could not read the nftables ruleset (nft -j list ruleset: " +
                          first_error_line(result) + "); run floatd doctor as root");
    return true;
  }
  std::string error;
  if (auto ruleset = fw::parse_nft_json(result.out, error)) {
    facts.rulesets.push_back(std::move(*ruleset));
  } else {
    facts.notes.push_back("could not read the nftables ruleset: " + error);
  }
  return true;
}

// With nft at hand only the legacy backend's rules are missing (nft shows those of the
// nf_tables backend); without it, iptables-save of whichever backend is all there is.
std::optional<std::string> iptables_save_program(bool have_nft) {
  if (have_nft) {
    if (auto legacy = find_program("iptables-legacy-save")) return legacy;
  }
  return find_program("iptables-save");
}

// false when no iptables-save is installed.
bool read_iptables(fw::FirewallFacts& facts, bool have_nft) {
  const auto save = iptables_save_program(have_nft);
  if (!save) return false;
  const auto result = run_command({*save, "-t", "filter"}, kTimeout);
  if (!result.ran || result.exit_code != 0) {
    facts.notes.push_back("could not read the iptables rules (" + *save + ": " +
                          first_error_line(result) + ")");
    return true;
  }
  // The nf_tables backend's rules are in nft's ruleset already (read once, not twice).
  if (have_nft && fw::iptables_save_is_nft(result.out)) return true;
  facts.rulesets.push_back(fw::parse_iptables_save(result.out));
  return true;
}

}  // namespace

fw::FirewallFacts gather_firewall() {
  fw::FirewallFacts facts;
  const bool have_nft = read_nft(facts);
  const bool have_iptables = read_iptables(facts, have_nft);
  if (!have_nft && !have_iptables) {
    facts.notes.push_back("neither nft nor iptables-save is installed: the packet filter was "
                          "not inspected");
  }
  return facts;
}

}  // namespace floatd::doctor
