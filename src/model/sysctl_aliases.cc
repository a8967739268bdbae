#include "model/sysctl_aliases.h"

namespace topo {

std::string CanonicalSysctlKey(const std::string& key) {
  return key == "net.ipv4.ip_forward" ? "net.ipv4.conf.all.forwarding" : key;
}

std::vector<std::string> PropagatedSysctlKeys(const std::string& key,
                                              const std::vector<std::string>& interfaces) {
  const std::string canonical = CanonicalSysctlKey(key);
  std::string family;
  if (canonical == "net.ipv4.conf.all.forwarding") family = "net.ipv4";
  if (canonical == "net.ipv6.conf.all.forwarding") family = "net.ipv6";
  if (family.empty()) return {};
  std::vector<std::string> keys = {family + ".conf.default.forwarding"};
  for (const std::string& i : interfaces) {
    if (i == "all" || i == "default") continue;
    keys.push_back(family + ".conf." + i + ".forwarding");
  }
  return keys;
}

bool IsPropagatedSysctlKey(const std::string& key, const std::string& candidate) {
  const std::vector<std::string> base = PropagatedSysctlKeys(key, {});
  if (base.empty()) return false;
  if (candidate == base[0]) return true;
  const std::string family = base[0].substr(0, base[0].find(".conf."));
  const std::string head = family + ".conf.", tail = ".forwarding";
  if (candidate.size() <= head.size() + tail.size() || candidate.rfind(head, 0) != 0 ||
      !candidate.ends_with(tail)) {
    return false;
  }
  const std::string ifname =
      candidate.substr(head.size(), candidate.size() - head.size() - tail.size());
  return ifname != "all" && ifname != "." && ifname != ".." &&
         ifname.find('/') == std::string::npos && ifname.find('\0') == std::string::npos;
}

std::string PropagatingSysctlKey(const std::string& key) {
  for (const char* all : {"net.ipv4.conf.all.forwarding", "net.ipv6.conf.all.forwarding"}) {
    if (IsPropagatedSysctlKey(all, key)) return all;
  }
  return "";
}

std::string CollapseSysctlValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace topo
