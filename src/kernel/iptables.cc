#include "kernel/iptables.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "kernel/netns.h"

namespace topo {

namespace {

bool PlainWord(const std::string& w) {
  if (w.empty()) return false;
  for (char c : w) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':' ||
          c == '/' || c == '=' || c == ',' || c == '[' || c == ']')) {
      return false;
    }
  }
  return true;
}

// Where a system tool is: the sbin and bin directories, not $PATH, since topo runs as root.
std::string SystemToolPath(const char* name) {
  for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"}) {
    std::string path = std::string(dir) + name;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return std::string("/usr/sbin/") + name;
}

}  // namespace

Status SnatRestoreInput(const std::vector<SnatSpec>& rules, bool remove, std::string* input) {
  std::string s = "*nat\n";
  for (const SnatSpec& r : rules) {
    if (r.family() != rules[0].family()) {
      return Status::InvalidArgument("snat rules " + rules[0].ToString() + " and " + r.ToString() +
                                     " are of different families");
    }
    s += remove ? "-D POSTROUTING" : "-A POSTROUTING";
    for (const std::string& word : SnatRuleWords(r)) {
      if (!PlainWord(word)) {
        return Status::InvalidArgument("snat rule " + r.ToString() + ": '" + word +
                                       "' cannot be passed to iptables-restore");
      }
      s += " " + word;
    }
    s += "\n";
  }
  *input = s + "COMMIT\n";
  return Status::OK();
}

Status FirewallRestoreInput(const FirewallSet& set, bool remove, std::string* input) {
  std::string s = "*" + set.table + "\n";
  for (const FirewallPolicy& p : set.policies) {
    s += ":" + IptablesChain(p.chain) + " " + (remove ? "ACCEPT" : IptablesTarget(p.action)) +
         " [0:0]\n";
  }
  for (const FirewallRuleSpec& r : set.rules) {
    if (r.family != set.family || r.table() != set.table) {
      return Status::InvalidArgument("firewall rule " + r.ToString() + " is not of " +
                                     set.TableLabel());
    }
    s += (remove ? "-D " : "-A ") + IptablesChain(r.chain);
    for (const std::string& word : FirewallRuleWords(r)) {
      if (!PlainWord(word)) {
        return Status::InvalidArgument("firewall rule " + r.ToString() + ": '" + word +
                                       "' cannot be passed to iptables-restore");
      }
      s += " " + word;
    }
    s += "\n";
  }
  *input = s + "COMMIT\n";
  return Status::OK();
}

Status IptablesRestore(int ns_fd, bool ipv6, const std::string& input) {
  const char* name = ipv6 ? "ip6tables-restore" : "iptables-restore";
  std::vector<std::string> argv = {SystemToolPath(name), "--noflush", "-w"};
  std::string output;
  int rc = RunInNamespace(ns_fd, argv, input, &output);
  if (rc == 0) return Status::OK();
  const char* space = " \t\n\r";
  output.erase(output.find_last_not_of(space) + 1);
  output.erase(0, std::min(output.size(), output.find_first_not_of(space)));
  if (rc < 0) return Status::IOError(output);
  // Deleting a rule that is not there: nothing was changed (a table commits at once).
  if (output.find("does a matching rule exist") != std::string::npos) {
    return Status::NotFound(std::string(name) + ": " + output);
  }
  return Status::IOError(std::string(name) + " exited with status " + std::to_string(rc) +
                         (output.empty() ? "" : ": " + output));
}

namespace {

// `iptables -w -t TABLE -C CHAIN WORDS...` (ip6tables with `ipv6`): whether
// the rule is there. `what` names the rule in errors ("snat rule ...").
Status HasRuleWords(int ns_fd, bool ipv6, const std::string& table, const std::string& chain,
                    const std::vector<std::string>& words, const std::string& what, bool* present) {
  *present = false;
  const char* name = ipv6 ? "ip6tables" : "iptables";
  std::vector<std::string> argv = {SystemToolPath(name), "-w", "-t", table, "-C", chain};
  for (const std::string& word : words) {
    if (!PlainWord(word)) {
      return Status::InvalidArgument(what + ": '" + word + "' cannot be passed to " + name);
    }
    argv.push_back(word);
  }
  std::string output;
  int rc = RunInNamespace(ns_fd, argv, "", &output);
  if (rc == 0) {
    *present = true;
    return Status::OK();
  }
  // 1: no such rule (or no such chain or table, which iptables-nft reports alike).
  if (rc == 1) return Status::OK();
  return Status::IOError(std::string(name) + " -C exited with status " + std::to_string(rc) +
                         (output.empty() ? "" : ": " + output));
}

}  // namespace

Status IptablesHasRule(int ns_fd, const SnatSpec& rule, bool* present) {
  return HasRuleWords(ns_fd, rule.family() == 6, "nat", "POSTROUTING", SnatRuleWords(rule),
                      "snat rule " + rule.ToString(), present);
}

Status IptablesHasRule(int ns_fd, const FirewallRuleSpec& rule, bool* present) {
  return HasRuleWords(ns_fd, rule.family == 6, rule.table(), IptablesChain(rule.chain),
                      FirewallRuleWords(rule), "firewall rule " + rule.ToString(), present);
}

Status IptablesPolicy(int ns_fd, bool ipv6, const std::string& chain, std::string* action) {
  const char* name = ipv6 ? "ip6tables" : "iptables";
  const std::string upper = IptablesChain(chain);
  if (!PlainWord(upper)) return Status::InvalidArgument("no chain '" + chain + "'");
  std::string output;
  int rc =
      RunInNamespace(ns_fd, {SystemToolPath(name), "-w", "-t", "filter", "-S", upper}, "", &output);
  if (rc != 0) {
    return Status::IOError(std::string(name) + " -S exited with status " + std::to_string(rc) +
                           (output.empty() ? "" : ": " + output));
  }
  // "-P FORWARD DROP" opens the listing of a built-in chain.
  *action = "accept";
  const std::string policy_line = "-P " + upper + " ";
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(policy_line, 0) != 0) continue;
    std::string policy = line.substr(policy_line.size());
    policy.erase(std::min(policy.size(), policy.find_first_of(" \t\r")));
    for (char& c : policy) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    *action = policy;
    break;
  }
  return Status::OK();
}

}  // namespace topo
