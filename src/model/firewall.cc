#include "model/firewall.h"

#include <charconv>

namespace topo {

namespace {

std::optional<int> Port(const std::string& s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v < 1 || v > 65535) {
    return std::nullopt;
  }
  return v;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return s;
}

// iptables' spelling of a range: "1000:2000".
std::string IptablesPorts(const PortRange& r) {
  return r.first == r.last ? std::to_string(r.first)
                           : std::to_string(r.first) + ":" + std::to_string(r.last);
}

std::string Joined(const std::vector<std::string>& words, const char* sep) {
  std::string s;
  for (const std::string& w : words) s += (s.empty() ? "" : sep) + w;
  return s;
}

bool Icmpv6(const FirewallRuleSpec& r) {
  return r.proto == "icmpv6" || (r.proto == "icmp" && r.family == 6);
}

}  // namespace

std::string PortRange::ToString() const {
  return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

std::optional<PortRange> ParsePortRange(const std::string& text) {
  const size_t dash = text.find('-');
  if (dash == std::string::npos) {
    auto p = Port(text);
    if (!p) return std::nullopt;
    return PortRange{*p, *p};
  }
  auto a = Port(text.substr(0, dash));
  auto b = Port(text.substr(dash + 1));
  if (!a || !b) return std::nullopt;
  return PortRange{*a, *b};
}

std::string FirewallRuleSpec::ToString() const {
  std::string s = chain == "prerouting" ? "" : chain;
  auto add = [&s](const std::string& w) { s += (s.empty() ? "" : " ") + w; };
  // An address alone (a /32 or /128) as the address.
  auto net = [](const Prefix& p) {
    return p.length == p.addr.max_prefix() ? p.addr.ToString() : p.ToString();
  };
  if (!in.empty()) add("in " + in);
  if (!out.empty()) add("out " + out);
  if (from) add("from " + net(*from));
  if (chain != "prerouting" && to) add("to " + net(*to));
  if (!proto.empty()) add(Icmpv6(*this) ? "icmpv6" : proto);
  if (port.given()) add("port " + port.ToString());
  if (sport.given()) add("sport " + sport.ToString());
  if (!state.empty()) add("state " + Joined(state, ","));
  if (action == "dnat") {
    std::string where = dnat_to ? dnat_to->ToString() : "?";
    if (dnat_to && dnat_port.given()) {
      where = (dnat_to->family == 6 ? "[" + where + "]" : where) + ":" + dnat_port.ToString();
    }
    add((chain == "prerouting" ? "to " : "dnat to ") + where);
  } else {
    add(action);
  }
  return s;
}

std::string FirewallSet::TableLabel() const { return (family == 6 ? "ip6 " : "ip ") + table; }

std::string IptablesChain(const std::string& chain) { return Upper(chain); }
std::string IptablesTarget(const std::string& action) { return Upper(action); }

std::vector<std::string> FirewallRuleWords(const FirewallRuleSpec& r) {
  std::vector<std::string> w;
  if (r.from) w.insert(w.end(), {"-s", r.from->ToString()});
  if (r.to) w.insert(w.end(), {"-d", r.to->ToString()});
  if (!r.in.empty()) w.insert(w.end(), {"-i", r.in});
  if (!r.out.empty()) w.insert(w.end(), {"-o", r.out});
  if (!r.proto.empty()) {
    const std::string p = Icmpv6(r) ? "ipv6-icmp" : r.proto;
    w.insert(w.end(), {"-p", p});
    if (r.port.given() || r.sport.given()) w.insert(w.end(), {"-m", p});
    if (r.sport.given()) w.insert(w.end(), {"--sport", IptablesPorts(r.sport)});
    if (r.port.given()) w.insert(w.end(), {"--dport", IptablesPorts(r.port)});
  }
  if (!r.state.empty()) {
    w.insert(w.end(), {"-m", "conntrack", "--ctstate", Upper(Joined(r.state, ","))});
  }
  if (!r.comment.empty()) w.insert(w.end(), {"-m", "comment", "--comment", r.comment});
  w.insert(w.end(), {"-j", IptablesTarget(r.action)});
  if (r.action == "dnat" && r.dnat_to) {
    std::string to = r.dnat_to->ToString();
    if (r.dnat_port.given()) {
      to = (r.dnat_to->family == 6 ? "[" + to + "]" : to) + ":" + r.dnat_port.ToString();
    }
    w.insert(w.end(), {"--to-destination", to});
  }
  return w;
}

}  // namespace topo
