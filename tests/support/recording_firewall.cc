// RecordingBackend's firewall (recording_backend.h): sets of port forwards,
// filter rules and policies kept as typed values per family and table, added
// all at once and deleted all or none, as iptables-restore commits a table.
#include <algorithm>

#include "plan/plan.h"
#include "support/recording_backend.h"

namespace topo {

namespace {

std::string Label(int family, const std::string& table) {
  return (family == 6 ? "ip6 " : "ip ") + table;
}

std::string RuleText(const FirewallRuleSpec& r) {
  std::string text = IptablesChain(r.chain);
  for (const std::string& word : FirewallRuleWords(r)) text += " " + word;
  return text;
}

}  // namespace

bool RecordingBackend::Ns::NatEmpty(bool ipv6) const {
  auto it = fw_rules.find(Label(ipv6 ? 6 : 4, "nat"));
  return (ipv6 ? rules6 : rules).empty() && (it == fw_rules.end() || it->second.empty());
}

std::vector<std::string> RecordingBackend::FirewallRules(const std::string& ns, int family,
                                                         const std::string& table) const {
  auto n = namespaces_.find(ns);
  if (n == namespaces_.end()) return {};
  auto it = n->second.fw_rules.find(Label(family, table));
  if (it == n->second.fw_rules.end()) return {};
  std::vector<std::string> out;
  for (const FirewallRuleSpec& r : it->second) out.push_back(RuleText(r));
  return out;
}

std::string RecordingBackend::Policy(const std::string& ns, int family,
                                     const std::string& chain) const {
  auto n = namespaces_.find(ns);
  if (n == namespaces_.end()) return "ACCEPT";
  auto it = n->second.fw_policies.find(Label(family, "filter") + " " + IptablesChain(chain));
  return it == n->second.fw_policies.end() ? "ACCEPT" : it->second;
}

Status RecordingBackend::AddFirewall(const std::string& ns, const FirewallSet& set) {
  std::string list;
  for (const FirewallRuleSpec& r : set.rules) list += (list.empty() ? " " : ", ") + r.ToString();
  if (Status s = Mutate("add firewall " + NamespaceLabel(ns) + " " + set.TableLabel() + list);
      !s.ok()) {
    return s;
  }
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  for (const FirewallRuleSpec& r : set.rules) {
    if (r.family != set.family || r.table() != set.table) {
      return Status::InvalidArgument("firewall rule " + r.ToString() + " is not of " +
                                     set.TableLabel());
    }
  }
  std::vector<FirewallRuleSpec>& rules = n->fw_rules[set.TableLabel()];
  rules.insert(rules.end(), set.rules.begin(), set.rules.end());
  for (const FirewallPolicy& p : set.policies) {
    n->fw_policies[set.TableLabel() + " " + IptablesChain(p.chain)] = IptablesTarget(p.action);
  }
  if (set.rules.empty() && set.policies.empty()) return Status::OK();
  if (set.table == "nat") {
    n->nat_tables.insert(set.family == 6);
  } else {
    n->fw_tables.insert(set.TableLabel());
  }
  return Status::OK();
}

Status RecordingBackend::DeleteFirewall(const std::string& ns, const FirewallSet& set) {
  std::string list;
  for (const FirewallRuleSpec& r : set.rules) list += (list.empty() ? " " : ", ") + r.ToString();
  if (Status s = Mutate("delete firewall " + NamespaceLabel(ns) + " " + set.TableLabel() + list);
      !s.ok()) {
    return s;
  }
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  std::vector<FirewallRuleSpec> left = n->fw_rules[set.TableLabel()];
  for (const FirewallRuleSpec& r : set.rules) {
    auto it = std::find(left.begin(), left.end(), r);
    if (it == left.end()) {
      return Status::NotFound("Bad rule (does a matching rule exist in that chain?)");
    }
    left.erase(it);
  }
  n->fw_rules[set.TableLabel()] = std::move(left);
  for (const FirewallPolicy& p : set.policies) {
    n->fw_policies.erase(set.TableLabel() + " " + IptablesChain(p.chain));
  }
  return Status::OK();
}

Status RecordingBackend::HasFirewallRule(const std::string& ns, const FirewallRuleSpec& rule,
                                         bool* present) {
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  const std::vector<FirewallRuleSpec>& rules = n->fw_rules[Label(rule.family, rule.table())];
  *present = std::find(rules.begin(), rules.end(), rule) != rules.end();
  return Status::OK();
}

Status RecordingBackend::ReadFirewallPolicy(const std::string& ns, int family,
                                            const std::string& chain, std::string* action) {
  if (!FindNs(ns)) return Status::NotFound("No such file or directory");
  std::string target = Policy(ns, family, chain);
  for (char& c : target) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  *action = target;
  return Status::OK();
}

void RecordingBackend::SetPolicyByHand(const std::string& ns, int family, const std::string& chain,
                                       const std::string& target) {
  Ns* n = FindNs(ns);
  if (n) n->fw_policies[Label(family, "filter") + " " + IptablesChain(chain)] = target;
}

Status RecordingBackend::TableExists(const std::string& ns, int family, const std::string& table,
                                     bool* exists) {
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  *exists = table == "nat" ? n->nat_tables.count(family == 6) > 0
                           : n->fw_tables.count(Label(family, table)) > 0;
  return Status::OK();
}

Status RecordingBackend::RemoveTableIfEmpty(const std::string& ns, int family,
                                            const std::string& table) {
  if (table == "nat") return RemoveNatTableIfEmpty(ns, family == 6);
  if (Status s = Mutate("remove empty " + Label(family, table) + " table " + NamespaceLabel(ns));
      !s.ok()) {
    return s;
  }
  Ns* n = FindNs(ns);
  if (!n) return Status::NotFound("No such file or directory");
  if (n->fw_rules[Label(family, table)].empty()) n->fw_tables.erase(Label(family, table));
  return Status::OK();
}

}  // namespace topo
