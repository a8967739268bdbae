#include "plan/plan.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <memory>

#include <nlohmann/json.hpp>

#include "model/diagnostic.h"
#include "model/etc_netns.h"
#include "plan/plan_ifkinds.h"

namespace topo {

namespace {

struct KindName {
  ActionKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {
    {ActionKind::kCreateNamespace, "create-namespace"},
    {ActionKind::kCreateVeth, "create-veth"},
    {ActionKind::kSetMtu, "set-mtu"},
    {ActionKind::kSetMac, "set-mac"},
    {ActionKind::kSetSysctl, "set-sysctl"},
    {ActionKind::kAddAddress, "add-address"},
    {ActionKind::kSetLinkUp, "set-link-up"},
    {ActionKind::kAddRoute, "add-route"},
    {ActionKind::kAddSnat, "add-snat"},
    {ActionKind::kAddFirewall, "add-firewall"},
    {ActionKind::kCreateBridge, "create-bridge"},
    {ActionKind::kSetMaster, "set-master"},
    {ActionKind::kSetImpairment, "set-impairment"},
    {ActionKind::kCreateVlan, "create-vlan"},
    {ActionKind::kSetPortVlans, "set-port-vlans"},
    {ActionKind::kCreateInterface, "create-interface"},
    {ActionKind::kWriteEtcFile, "write-etc-file"},
    {ActionKind::kMakeNodeDir, "make-node-dir"},
    {ActionKind::kWriteNodeFile, "write-node-file"},
    {ActionKind::kStartProgram, "start-program"},
};

// A word for a shell: as is when it needs no quoting, else in single quotes.
// Names in a plan are validated to need none; argv and file contents may.
std::string Q(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':' ||
          c == '/' || c == '=' || c == ',')) {
      plain = false;
    }
  }
  if (plain) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// An argv as a shell would read it: each word through Q.
std::string Words(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& w : argv) out += (out.empty() ? "" : " ") + Q(w);
  return out;
}

std::string DurationText(int ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

// "tcp port 8080", "file /run/app.sock", ... and the time allowed.
std::string ReadinessText(const Readiness& r) {
  std::string s;
  switch (r.kind) {
    case Readiness::Kind::kNone:
      return "once started";
    case Readiness::Kind::kTcp:
      s = "tcp port " + std::to_string(r.port) + " listening";
      break;
    case Readiness::Kind::kUdp:
      s = "udp port " + std::to_string(r.port) + " bound";
      break;
    case Readiness::Kind::kFile:
      s = "file " + Q(r.path) + " exists";
      break;
    case Readiness::Kind::kCommand:
      s = "command " + Words(r.command) + " exits 0";
      break;
    case Readiness::Kind::kLogLine:
      s = "output line contains " + Q(r.text);
      break;
  }
  return s + " (within " + DurationText(r.timeout_ms) + ")";
}

std::string Where(const Action& a) { return NamespaceLabel(a.ns) + ":" + a.ifname; }

std::string EtcFileDescription(const Action& a) {
  const std::string path = EtcNetnsPath(a.ns, a.key());
  if (!a.peer_ns().empty()) return "link " + path + " to " + EtcNetnsPath(a.peer_ns(), a.key());
  size_t lines = static_cast<size_t>(std::count(a.value().begin(), a.value().end(), '\n'));
  return "write " + path + " (" + std::to_string(lines) + (lines == 1 ? " line)" : " lines)");
}

std::string RouteText(const RouteSpec& r) {
  std::string s = r.DestinationString();
  if (r.via) s += " via " + r.via->ToString();
  if (!r.dev.empty()) s += " dev " + r.dev;
  if (r.metric) s += " metric " + std::to_string(*r.metric);
  return s;
}

std::string SnatList(const Action& a) {
  std::string s;
  for (const SnatSpec& r : a.snat()) s += (s.empty() ? "" : ", ") + r.ToString();
  return s;
}

// "forwards r ip: tcp port 8080 to 10.0.2.10:80" or "firewall r ip6: policy
// forward drop; forward state established,related accept, ...".
std::string FirewallText(const Action& a) {
  const FirewallSet& f = a.firewall();
  std::string s = (f.table == "nat" ? "forwards " : "firewall ") + NamespaceLabel(a.ns) +
                  (f.family == 6 ? " ip6:" : " ip:");
  std::string policies;
  for (const FirewallPolicy& p : f.policies) {
    policies += (policies.empty() ? " policy " : ", ") + p.chain + " " + p.action;
  }
  if (!policies.empty()) s += policies + (f.rules.empty() ? "" : ";");
  std::string rules;
  for (const FirewallRuleSpec& r : f.rules) rules += (rules.empty() ? " " : ", ") + r.ToString();
  return s + rules;
}

}  // namespace

std::string NamespaceLabel(const std::string& ns) { return ns.empty() ? "(root)" : ns; }

const char* ActionKindName(ActionKind k) {
  for (const KindName& kn : kKindNames)
    if (kn.kind == k) return kn.name;
  return "?";
}

namespace {

std::string DescribeText(const Action& a) {
  switch (a.kind) {
    case ActionKind::kCreateNamespace:
      return "create namespace " + a.ns;
    case ActionKind::kCreateVeth:
      return "create veth " + Where(a) + " <-> " + NamespaceLabel(a.peer_ns()) + ":" +
             a.peer_ifname();
    case ActionKind::kSetMtu:
      return "set mtu " + Where(a) + " " + std::to_string(a.mtu());
    case ActionKind::kSetMac:
      return "set mac " + Where(a) + " " + a.mac().ToString();
    case ActionKind::kSetSysctl:
      return "set sysctl " + NamespaceLabel(a.ns) + " " + a.key() + "=" + a.value();
    case ActionKind::kAddAddress:
      return "add address " + Where(a) + " " + a.address().ToString();
    case ActionKind::kSetLinkUp:
      return "set link " + Where(a) + " up";
    case ActionKind::kAddRoute:
      return "add route " + NamespaceLabel(a.ns) + " " + RouteText(a.route());
    case ActionKind::kAddSnat:
      return "add snat " + NamespaceLabel(a.ns) + " " + SnatList(a);
    case ActionKind::kAddFirewall:
      return "add " + FirewallText(a);
    case ActionKind::kCreateBridge:
      return "create bridge " + Where(a) + (a.stp() ? " stp" : "") +
             (a.vlan_filtering() ? " vlan_filtering" : "");
    case ActionKind::kCreateVlan:
      return "create vlan " + Where(a) + " on " + a.parent() + " id " + std::to_string(a.vlan());
    case ActionKind::kSetPortVlans:
      return "set vlans " + Where(a) + " " + a.port_vlans().ToString();
    case ActionKind::kCreateInterface:
      return "create interface " + Where(a) + " " + a.virt().ToString();
    case ActionKind::kSetMaster:
      return "set master " + Where(a) + " " + a.master();
    case ActionKind::kSetImpairment:
      return "impair " + Where(a) + " " + a.impairment().ToString();
    case ActionKind::kWriteEtcFile:
      return EtcFileDescription(a);
    case ActionKind::kMakeNodeDir:
      return "make private dir " + a.node + ":" + a.key();
    case ActionKind::kWriteNodeFile:
      return "write file " + a.node + ":" + a.key();
    case ActionKind::kStartProgram:
      return "start program " + a.node + "/" + a.program().name;
  }
  return "?";
}

std::string DescribeInverseText(const Action& a) {
  switch (a.kind) {
    case ActionKind::kCreateNamespace:
      return "delete namespace " + a.ns;
    case ActionKind::kCreateVeth:
      return "delete veth " + Where(a) + " <-> " + NamespaceLabel(a.peer_ns()) + ":" +
             a.peer_ifname();
    case ActionKind::kSetMtu:
      return "restore mtu " + Where(a);
    case ActionKind::kSetMac:
      return "restore mac " + Where(a);
    case ActionKind::kSetSysctl:
      return "restore sysctl " + NamespaceLabel(a.ns) + " " + a.key();
    case ActionKind::kAddAddress:
      return "delete address " + Where(a) + " " + a.address().ToString();
    case ActionKind::kSetLinkUp:
      return "set link " + Where(a) + " down";
    case ActionKind::kAddRoute:
      return "delete route " + NamespaceLabel(a.ns) + " " + RouteText(a.route());
    case ActionKind::kAddSnat:
      return "delete snat " + NamespaceLabel(a.ns) + " " + SnatList(a);
    case ActionKind::kAddFirewall:
      return "delete " + FirewallText(a) +
             (a.firewall().policies.empty() ? "" : " (policies back to accept)");
    case ActionKind::kCreateBridge:
      return "delete bridge " + Where(a);
    case ActionKind::kCreateVlan:
      return "delete vlan " + Where(a);
    case ActionKind::kSetPortVlans:
      return "remove vlans " + Where(a) + " " + a.port_vlans().ToString();
    case ActionKind::kCreateInterface:
      return "delete interface " + Where(a);
    case ActionKind::kSetMaster:
      return "release " + Where(a) + " from " + a.master();
    case ActionKind::kSetImpairment:
      return "clear impairment " + Where(a);
    case ActionKind::kWriteEtcFile:
      return "remove " + EtcNetnsPath(a.ns, a.key());
    case ActionKind::kMakeNodeDir:
      return "remove private dir " + a.node + ":" + a.key();
    case ActionKind::kWriteNodeFile:
      return "remove file " + a.node + ":" + a.key();
    case ActionKind::kStartProgram:
      return "stop program " + a.node + "/" + a.program().name;
  }
  return "?";
}

}  // namespace

// Names and values come from a file (or, for `down` and `status`, from state
// on disk): printed, they must not be able to drive a terminal or forge lines.
std::string Describe(const Action& a) { return EscapeForTerminal(DescribeText(a)); }
std::string DescribeInverse(const Action& a) { return EscapeForTerminal(DescribeInverseText(a)); }

// ---- JSON ----

namespace {

// 0640 -> "0640".
std::string ModeString(int mode) {
  std::string s = "0000";
  for (int i = 3; i >= 1; --i, mode >>= 3)
    s[static_cast<size_t>(i)] = static_cast<char>('0' + (mode & 7));
  return s;
}

// "0640" or "640" -> 0640; -1 when it is not three octal digits.
int ParseModeString(const std::string& s) {
  std::string digits = s.size() == 4 && s[0] == '0' ? s.substr(1) : s;
  if (digits.size() != 3) return -1;
  int mode = 0;
  for (char c : digits) {
    if (c < '0' || c > '7') return -1;
    mode = mode * 8 + (c - '0');
  }
  return mode;
}

// Every field of the program; of its readiness, the kind's own and the timeout.
nlohmann::json ProgramToJson(const ProgramSpec& p) {
  nlohmann::json j;
  j["name"] = p.name;
  j["argv"] = p.argv;
  nlohmann::json env = nlohmann::json::array();
  for (const auto& [name, value] : p.env) env.push_back({name, value});
  j["env"] = std::move(env);
  j["cwd"] = p.cwd;
  j["user"] = p.user;
  j["after"] = p.after;
  nlohmann::json r;
  r["kind"] = ReadinessKindName(p.ready.kind);
  switch (p.ready.kind) {
    case Readiness::Kind::kTcp:
    case Readiness::Kind::kUdp:
      r["port"] = p.ready.port;
      break;
    case Readiness::Kind::kFile:
      r["path"] = p.ready.path;
      break;
    case Readiness::Kind::kCommand:
      r["command"] = p.ready.command;
      break;
    case Readiness::Kind::kLogLine:
      r["text"] = p.ready.text;
      break;
    case Readiness::Kind::kNone:
      break;
  }
  r["timeout_ms"] = p.ready.timeout_ms;
  j["ready"] = std::move(r);
  j["stop_timeout_ms"] = p.stop_timeout_ms;
  return j;
}

// A firewall set: the rules share their comment, stored once (and on a rule
// only where it differs).
nlohmann::json FirewallToJson(const FirewallSet& f) {
  const std::string comment = f.rules.empty() ? "" : f.rules[0].comment;
  nlohmann::json j;
  j["family"] = f.family;
  j["table"] = f.table;
  nlohmann::json policies = nlohmann::json::array();
  for (const FirewallPolicy& p : f.policies)
    policies.push_back({{"chain", p.chain}, {"action", p.action}});
  j["policies"] = std::move(policies);
  nlohmann::json rules = nlohmann::json::array();
  for (const FirewallRuleSpec& r : f.rules) {
    nlohmann::json o;
    o["chain"] = r.chain;
    o["action"] = r.action;
    if (r.from) o["from"] = r.from->ToString();
    if (r.to) o["to"] = r.to->ToString();
    if (!r.proto.empty()) o["proto"] = r.proto;
    if (r.port.given()) o["port"] = r.port.ToString();
    if (r.sport.given()) o["sport"] = r.sport.ToString();
    if (!r.in.empty()) o["in"] = r.in;
    if (!r.out.empty()) o["out"] = r.out;
    if (!r.state.empty()) o["state"] = r.state;
    if (r.dnat_to) o["dnat_to"] = r.dnat_to->ToString();
    if (r.dnat_port.given()) o["dnat_port"] = r.dnat_port.ToString();
    if (r.comment != comment) o["comment"] = r.comment;
    rules.push_back(std::move(o));
  }
  j["rules"] = std::move(rules);
  j["comment"] = comment;
  return j;
}

}  // namespace

nlohmann::json ActionToJson(const Action& a) {
  nlohmann::json j;
  j["kind"] = ActionKindName(a.kind);
  j["ns"] = a.ns;
  j["node"] = a.node;
  switch (a.kind) {
    case ActionKind::kCreateNamespace:
      break;
    case ActionKind::kCreateVeth:
      j["ifname"] = a.ifname;
      j["peer_ns"] = a.peer_ns();
      j["peer_node"] = a.peer_node();
      j["peer_ifname"] = a.peer_ifname();
      break;
    case ActionKind::kSetMtu:
      j["ifname"] = a.ifname;
      j["mtu"] = a.mtu();
      break;
    case ActionKind::kSetMac:
      j["ifname"] = a.ifname;
      j["mac"] = a.mac().ToString();
      break;
    case ActionKind::kSetSysctl:
      j["key"] = a.key();
      j["value"] = a.value();
      break;
    case ActionKind::kAddAddress:
      j["ifname"] = a.ifname;
      j["address"] = a.address().ToString();
      break;
    case ActionKind::kSetLinkUp:
      j["ifname"] = a.ifname;
      break;
    case ActionKind::kAddRoute: {
      nlohmann::json r;
      r["to"] = a.route().DestinationString();
      r["family"] = a.route().family;
      if (a.route().via) r["via"] = a.route().via->ToString();
      if (!a.route().dev.empty()) r["dev"] = a.route().dev;
      if (a.route().metric) r["metric"] = *a.route().metric;
      j["route"] = r;
      break;
    }
    case ActionKind::kAddSnat: {
      // The rules of an action share their comment: stored once, and on a
      // rule only where it differs.
      const std::string comment = a.snat().empty() ? "" : a.snat()[0].comment;
      nlohmann::json rules = nlohmann::json::array();
      for (const SnatSpec& s : a.snat()) {
        nlohmann::json r;
        r["source"] = s.source.ToString();
        r["out"] = s.out;
        if (s.to) r["to"] = s.to->ToString();
        if (s.comment != comment) r["comment"] = s.comment;
        rules.push_back(r);
      }
      j["rules"] = rules;
      j["comment"] = comment;
      break;
    }
    case ActionKind::kAddFirewall:
      j["firewall"] = FirewallToJson(a.firewall());
      break;
    case ActionKind::kCreateBridge:
      j["ifname"] = a.ifname;
      j["stp"] = a.stp();
      if (a.vlan_filtering()) j["vlan_filtering"] = true;
      break;
    case ActionKind::kCreateVlan:
      j["ifname"] = a.ifname;
      j["parent"] = a.parent();
      j["vlan"] = a.vlan();
      break;
    case ActionKind::kSetPortVlans:
      j["ifname"] = a.ifname;
      if (a.port_vlans().untagged) j["untagged"] = a.port_vlans().untagged;
      j["tagged"] = a.port_vlans().tagged;
      break;
    case ActionKind::kCreateInterface:
      j["ifname"] = a.ifname;
      plan_internal::VirtualToJson(a.virt(), &j);
      break;
    case ActionKind::kSetMaster:
      j["ifname"] = a.ifname;
      j["master"] = a.master();
      break;
    case ActionKind::kSetImpairment:
      j["ifname"] = a.ifname;
      j["impairment"] = ImpairmentToJson(a.impairment());
      break;
    case ActionKind::kWriteEtcFile:
      j["file"] = a.key();
      if (a.peer_ns().empty()) {
        j["content"] = a.value();
      } else {
        j["link_to"] = a.peer_ns();
      }
      break;
    case ActionKind::kMakeNodeDir:
      j["path"] = a.key();
      break;
    case ActionKind::kWriteNodeFile:
      j["path"] = a.key();
      j["content"] = a.value();
      j["mode"] = ModeString(a.mode());
      break;
    case ActionKind::kStartProgram:
      j["program"] = ProgramToJson(a.program());
      break;
  }
  j["description"] = Describe(a);
  j["inverse"] = DescribeInverse(a);
  return j;
}

namespace {

Status Bad(const std::string& what) { return Status::InvalidArgument("malformed plan: " + what); }

// Throws nlohmann::json exceptions on wrong types (ActionFromJson catches them).
Status ProgramFromJson(const nlohmann::json& j, ProgramSpec* out) {
  ProgramSpec p;
  p.name = j.at("name").get<std::string>();
  p.argv = j.at("argv").get<std::vector<std::string>>();
  for (const auto& e : j.value("env", nlohmann::json::array())) {
    if (!e.is_array() || e.size() != 2) return Bad("bad program environment");
    p.env.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
  }
  p.cwd = j.value("cwd", "/");
  p.user = j.value("user", "");
  p.after = j.value("after", std::vector<std::string>());
  if (j.contains("ready")) {
    const auto& r = j["ready"];
    const std::string kind = r.value("kind", "none");
    bool found = false;
    for (auto k : {Readiness::Kind::kNone, Readiness::Kind::kTcp, Readiness::Kind::kUdp,
                   Readiness::Kind::kFile, Readiness::Kind::kCommand, Readiness::Kind::kLogLine}) {
      if (kind == ReadinessKindName(k)) {
        p.ready.kind = k;
        found = true;
      }
    }
    if (!found) return Bad("unknown readiness '" + kind + "'");
    p.ready.port = r.value("port", 0);
    p.ready.path = r.value("path", "");
    p.ready.command = r.value("command", std::vector<std::string>());
    p.ready.text = r.value("text", "");
    p.ready.timeout_ms = r.value("timeout_ms", 30000);
  }
  p.stop_timeout_ms = j.value("stop_timeout_ms", 2000);
  if (p.name.empty() || p.argv.empty()) return Bad("program without a name or argv");
  *out = std::move(p);
  return Status::OK();
}

// Throws nlohmann::json exceptions on wrong types (ActionFromJson catches them).
Status FirewallFromJson(const nlohmann::json& j, FirewallSet* out) {
  FirewallSet f;
  f.family = j.at("family").get<int>();
  f.table = j.at("table").get<std::string>();
  if ((f.family != 4 && f.family != 6) || (f.table != "filter" && f.table != "nat")) {
    return Bad("bad firewall family or table");
  }
  for (const auto& p : j.value("policies", nlohmann::json::array())) {
    f.policies.push_back({p.at("chain").get<std::string>(), p.at("action").get<std::string>()});
  }
  const std::string comment = j.value("comment", "");
  std::string err;
  auto prefix = [&](const nlohmann::json& o, const char* key, std::optional<Prefix>* to) {
    if (!o.contains(key)) return true;
    *to = ParsePrefix(o[key].get<std::string>(), &err);
    return to->has_value();
  };
  auto ports = [](const nlohmann::json& o, const char* key, PortRange* to) {
    if (!o.contains(key)) return true;
    auto r = ParsePortRange(o[key].get<std::string>());
    if (r) *to = *r;
    return r.has_value();
  };
  for (const auto& o : j.at("rules")) {
    FirewallRuleSpec r;
    r.family = f.family;
    r.chain = o.at("chain").get<std::string>();
    r.action = o.at("action").get<std::string>();
    r.proto = o.value("proto", "");
    r.in = o.value("in", "");
    r.out = o.value("out", "");
    r.state = o.value("state", std::vector<std::string>());
    r.comment = o.value("comment", comment);
    if (!prefix(o, "from", &r.from) || !prefix(o, "to", &r.to)) return Bad(err);
    if (!ports(o, "port", &r.port) || !ports(o, "sport", &r.sport) ||
        !ports(o, "dnat_port", &r.dnat_port)) {
      return Bad("bad firewall port");
    }
    if (o.contains("dnat_to")) {
      r.dnat_to = ParseIp(o["dnat_to"].get<std::string>());
      if (!r.dnat_to) return Bad("bad forward address");
    }
    f.rules.push_back(std::move(r));
  }
  *out = std::move(f);
  return Status::OK();
}

// Throws nlohmann::json exceptions on wrong types (ActionFromJson catches them).
Status RouteFromJson(const nlohmann::json& r, RouteSpec* out) {
  std::string err;
  out->family = r.value("family", 4);
  std::string to = r.at("to").get<std::string>();
  if (to != "default") {
    auto p = ParsePrefix(to, &err);
    if (!p) return Bad(err);
    out->to = *p;
  }
  if (r.contains("via")) {
    auto v = ParseIp(r["via"].get<std::string>());
    if (!v) return Bad("bad gateway");
    out->via = *v;
  }
  out->dev = r.value("dev", "");
  if (r.contains("metric")) out->metric = r["metric"].get<int>();
  return Status::OK();
}

// Throws nlohmann::json exceptions on wrong types (ActionFromJson catches them).
Status SnatFromJson(const nlohmann::json& j, std::vector<SnatSpec>* out) {
  std::string err;
  const std::string comment = j.value("comment", "");
  for (const auto& r : j["rules"]) {
    SnatSpec s;
    auto p = ParsePrefix(r.at("source").get<std::string>(), &err);
    if (!p) return Bad(err);
    s.source = *p;
    s.out = r.at("out").get<std::string>();
    if (r.contains("to")) {
      auto v = ParseIp(r["to"].get<std::string>());
      if (!v) return Bad("bad snat address");
      s.to = *v;
    }
    s.comment = r.value("comment", comment);
    out->push_back(s);
  }
  return Status::OK();
}

// The values of the kinds with a key and a text: sysctls, /etc/netns files,
// node directories and files.
Status TextFromJson(const nlohmann::json& j, Action* a) {
  a->set_key(j.value("key", ""));
  a->set_value(j.value("value", ""));
  if (j.contains("file")) a->set_key(j["file"].get<std::string>());
  if (j.contains("path")) a->set_key(j["path"].get<std::string>());
  if (j.contains("mode")) {
    a->set_mode(ParseModeString(j["mode"].get<std::string>()));
    if (a->mode() < 0) return Bad("bad file mode");
  }
  if (j.contains("content")) a->set_value(j["content"].get<std::string>());
  if (j.contains("link_to") && a->kind == ActionKind::kWriteEtcFile) {
    a->set_peer_ns(j["link_to"].get<std::string>());
  }
  return Status::OK();
}

// The kind's own values of `a`, whose kind is set.
Status PayloadFromJson(const nlohmann::json& j, Action* a) {
  std::string err;
  switch (a->kind) {
    case ActionKind::kCreateNamespace:
    case ActionKind::kSetLinkUp:
      return Status::OK();
    case ActionKind::kCreateVeth:
      a->set_peer_ns(j.value("peer_ns", ""));
      a->set_peer_node(j.value("peer_node", ""));
      a->set_peer_ifname(j.value("peer_ifname", ""));
      return Status::OK();
    case ActionKind::kSetMtu:
      a->set_mtu(j.value("mtu", 0));
      return Status::OK();
    case ActionKind::kSetMac:
      if (j.contains("mac")) {
        auto m = ParseMac(j["mac"].get<std::string>());
        if (!m) return Bad("bad mac");
        a->set_mac(*m);
      }
      return Status::OK();
    case ActionKind::kAddAddress:
      if (j.contains("address")) {
        auto p = ParsePrefix(j["address"].get<std::string>(), &err);
        if (!p) return Bad(err);
        a->set_address(*p);
      }
      return Status::OK();
    case ActionKind::kSetSysctl:
    case ActionKind::kWriteEtcFile:
    case ActionKind::kMakeNodeDir:
    case ActionKind::kWriteNodeFile:
      return TextFromJson(j, a);
    case ActionKind::kAddRoute:
      return j.contains("route") ? RouteFromJson(j["route"], &a->mutable_route()) : Status::OK();
    case ActionKind::kAddSnat:
      return j.contains("rules") ? SnatFromJson(j, &a->mutable_snat()) : Status::OK();
    case ActionKind::kAddFirewall:
      return j.contains("firewall") ? FirewallFromJson(j["firewall"], &a->mutable_firewall())
                                    : Status::OK();
    case ActionKind::kCreateBridge:
      a->set_bridge(j.value("stp", false), j.value("vlan_filtering", false));
      return Status::OK();
    case ActionKind::kSetMaster:
      a->set_master(j.value("master", ""));
      return Status::OK();
    case ActionKind::kSetImpairment:
      return j.contains("impairment")
                 ? ImpairmentFromJson(j["impairment"], &a->mutable_impairment())
                 : Status::OK();
    case ActionKind::kCreateVlan:
      a->set_vlan(j.value("parent", ""), j.value("vlan", 0));
      return Status::OK();
    case ActionKind::kSetPortVlans:
      a->mutable_port_vlans().untagged = j.value("untagged", 0);
      a->mutable_port_vlans().tagged = j.value("tagged", std::vector<int>());
      return Status::OK();
    case ActionKind::kCreateInterface:
      return plan_internal::VirtualFromJson(j, &a->mutable_virt());
    case ActionKind::kStartProgram:
      return j.contains("program") ? ProgramFromJson(j["program"], &a->mutable_program())
                                   : Status::OK();
  }
  return Status::OK();
}

}  // namespace

Status ActionFromJson(const nlohmann::json& j, Action* out) {
  try {
    Action a;
    const std::string kind = j.at("kind").get<std::string>();
    bool found = false;
    for (const KindName& kn : kKindNames) {
      if (kind == kn.name) {
        a.kind = kn.kind;
        found = true;
      }
    }
    if (!found) return Bad("unknown action kind '" + kind + "'");
    a.ns = j.at("ns").get<std::string>();
    a.node = j.value("node", "");
    a.ifname = j.value("ifname", "");
    if (Status s = PayloadFromJson(j, &a); !s.ok()) return s;
    *out = std::move(a);
    return Status::OK();
  } catch (const nlohmann::json::exception& e) {
    return Bad(e.what());
  }
}

namespace {

// Everything of a plan's JSON but its actions.
nlohmann::json PlanHeadJson(const Plan& plan) {
  nlohmann::json j;
  j["format"] = "topo-plan/1";
  j["lab"] = plan.lab;
  j["topology"] = plan.topology;
  j["prefix"] = plan.prefix;
  j["source"] = plan.source_file;
  j["namespaces"] = plan.namespaces;
  return j;
}

}  // namespace

nlohmann::json PlanToJson(const Plan& plan) {
  nlohmann::json j = PlanHeadJson(plan);
  nlohmann::json actions = nlohmann::json::array();
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    nlohmann::json a = ActionToJson(plan.actions[i]);
    a["index"] = i;
    actions.push_back(std::move(a));
  }
  j["actions"] = std::move(actions);
  return j;
}

void WritePlanJson(const Plan& plan, const std::function<void(std::string_view)>& sink) {
  // dump(1) sorts an object's keys, and "actions" sorts first: the actions,
  // each dumped alone and indented two more, then the rest of the object.
  sink("{\n \"actions\": [");
  std::string piece;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    nlohmann::json a = ActionToJson(plan.actions[i]);
    a["index"] = i;
    const std::string text = a.dump(1);
    piece.assign(i ? ",\n  " : "\n  ");
    for (char c : text) {
      piece += c;
      if (c == '\n') piece += "  ";  // JSON strings never hold a raw newline
    }
    sink(piece);
  }
  sink(plan.actions.empty() ? "],\n" : "\n ],\n");
  const std::string rest = PlanHeadJson(plan).dump(1);  // "{\n \"format\": ...\n}"
  sink(std::string_view(rest).substr(2));
  sink("\n");
}

namespace {

// The characters of a FILE, read a block at a time, as an input iterator for
// nlohmann::json::parse. Its own FILE* adapter calls fgetc, a locked call per
// character: 12% of `topo status` of star 10000 was reading plan.json.
class FileChars {
 public:
  explicit FileChars(std::FILE* in) : in_(in) {}
  // The character at the front, or EOF.
  int Peek() {
    if (pos_ == len_) {
      len_ = std::fread(buf_, 1, sizeof(buf_), in_);
      pos_ = 0;
      if (len_ == 0) return EOF;
    }
    return static_cast<unsigned char>(buf_[pos_]);
  }
  void Skip() { ++pos_; }

 private:
  std::FILE* in_;
  char buf_[1 << 16];
  size_t pos_ = 0;
  size_t len_ = 0;
};

class FileCharIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = char;

  FileCharIterator() = default;  // the end
  explicit FileCharIterator(FileChars* chars) : chars_(chars) {}
  char operator*() const { return static_cast<char>(chars_->Peek()); }
  FileCharIterator& operator++() {
    chars_->Skip();
    return *this;
  }
  bool operator==(const FileCharIterator& other) const { return AtEnd() == other.AtEnd(); }
  bool operator!=(const FileCharIterator& other) const { return !(*this == other); }

 private:
  bool AtEnd() const { return chars_ == nullptr || chars_->Peek() == EOF; }
  FileChars* chars_ = nullptr;
};

}  // namespace

Status ReadPlanJson(std::FILE* in, Plan* out) {
  using Event = nlohmann::json::parse_event_t;
  std::vector<Action> actions;
  Status bad;
  bool in_actions = false;
  // Depth 1: the plan's keys; depth 2: an object of its "actions" array, made
  // into an Action as soon as it is read, then dropped from the tree.
  auto keep = [&](int depth, Event event, nlohmann::json& parsed) {
    if (depth == 1 && event == Event::key) in_actions = parsed == "actions";
    if (!in_actions || depth != 2 || event != Event::object_end) return true;
    if (bad.ok()) {
      Action a;
      bad = ActionFromJson(parsed, &a);
      if (bad.ok()) actions.push_back(std::move(a));
    }
    return false;
  };
  nlohmann::json head;
  try {
    auto chars = std::make_unique<FileChars>(in);
    head = nlohmann::json::parse(FileCharIterator(chars.get()), FileCharIterator(), keep,
                                 /*allow_exceptions=*/false);
  } catch (const nlohmann::json::exception& e) {
    return Bad(e.what());
  }
  if (head.is_discarded()) return Bad("not JSON");
  if (!bad.ok()) return bad;
  if (!head.is_object() || !head.contains("actions") || !head["actions"].is_array() ||
      !head["actions"].empty()) {
    return Bad("no list of actions");
  }
  Plan p;
  if (Status s = PlanFromJson(head, &p); !s.ok()) return s;
  p.actions = std::move(actions);
  *out = std::move(p);
  return Status::OK();
}

Status PlanFromJson(const nlohmann::json& j, Plan* out) {
  try {
    if (j.value("format", "") != "topo-plan/1") return Bad("unknown format");
    Plan p;
    p.lab = j.at("lab").get<std::string>();
    p.topology = j.value("topology", "");
    p.prefix = j.value("prefix", "");
    p.source_file = j.value("source", "");
    p.namespaces = j.at("namespaces").get<std::vector<std::string>>();
    for (const auto& a : j.at("actions")) {
      Action action;
      Status s = ActionFromJson(a, &action);
      if (!s.ok()) return s;
      p.actions.push_back(std::move(action));
    }
    *out = std::move(p);
    return Status::OK();
  } catch (const nlohmann::json::exception& e) {
    return Bad(e.what());
  }
}

// ---- text ----

std::string FormatPlanText(const Plan& plan) {
  std::string out = "plan for lab '" + EscapeForTerminal(plan.lab) +
                    "': " + Counted(plan.namespaces.size(), "namespace") + ", " +
                    Counted(plan.actions.size(), "action") + "\n";
  size_t width = std::to_string(plan.actions.size()).size();
  const std::string indent(width + 4, ' ');
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    std::string n = std::to_string(i + 1);
    out += std::string(width - n.size() + 2, ' ') + n + "  " + Describe(a);
    if (a.kind == ActionKind::kWriteNodeFile) {
      const size_t lines =
          static_cast<size_t>(std::count(a.value().begin(), a.value().end(), '\n'));
      out += " (" + std::to_string(lines) + (lines == 1 ? " line" : " lines") + ", mode " +
             ModeString(a.mode()) + ")";
    }
    out += "\n";
    if (a.kind == ActionKind::kStartProgram) {
      // What runs, and what it waits for: argv and names come from the file.
      const ProgramSpec& p = a.program();
      std::string detail = "run " + Words(p.argv);
      if (!p.after.empty()) {
        std::string after;
        for (const std::string& x : p.after) after += (after.empty() ? "" : ", ") + x;
        detail += "; after " + after;
      }
      detail += "; ready: " + ReadinessText(p.ready);
      out += indent + EscapeForTerminal(detail) + "\n";
    }
  }
  return out;
}

// ---- shell ----

namespace {

std::string IpN(const Action& a, int family = 4) {
  return std::string("ip ") + (family == 6 ? "-6 " : "") +
         (a.ns.empty() ? "" : "-n " + Q(a.ns) + " ");
}

std::string BridgeN(const Action& a) {
  return std::string("bridge ") + (a.ns.empty() ? "" : "-n " + Q(a.ns) + " ");
}

// " netns NS", or nothing for the root namespace.
std::string NetnsArg(const std::string& ns) { return ns.empty() ? "" : " netns " + Q(ns); }

// How to run a program in the action's namespace: "ip netns exec NS ", or nothing.
std::string InNs(const Action& a) { return a.ns.empty() ? "" : "ip netns exec " + Q(a.ns) + " "; }

std::string RouteArgs(const RouteSpec& r) {
  std::string s = r.is_default() ? "default" : r.to->ToString();
  if (r.via) s += " via " + r.via->ToString();
  if (!r.dev.empty()) s += " dev " + Q(r.dev);
  if (r.metric) s += " metric " + std::to_string(*r.metric);
  return s;
}

// `iptables -t nat -A POSTROUTING ...` (or -D) for one rule, in the action's namespace.
std::string SnatCommand(const Action& a, const SnatSpec& r, const char* op) {
  std::string s =
      InNs(a) + (r.family() == 6 ? "ip6tables" : "iptables") + " -t nat " + op + " POSTROUTING";
  for (const std::string& word : SnatRuleWords(r)) s += " " + Q(word);
  return s;
}

// Where the script keeps a node's file or private dir: under "$nodes"/NODE.
std::string NodePath(const Action& a, const std::string& path) {
  return "\"$nodes\"/" + Q(a.node + path);
}

// A printf command writing `content` exactly. Content that is printable
// ASCII (with newlines and tabs) is quoted as is; otherwise every other byte
// is written as a \0ooo escape of printf's %b, so the script shows no byte a
// terminal would act on and stays exact for any content, NUL included.
std::string PrintfContent(const std::string& content) {
  bool plain = true;
  for (unsigned char c : content) {
    plain = plain && ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t');
  }
  if (plain) return "printf '%s' " + Q(content);
  std::string escaped;
  for (unsigned char c : content) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t') {
      escaped += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\0%03o", c);
      escaped += buf;
    }
  }
  return "printf '%b' " + Q(escaped);
}

// A program, as a comment: the `ip netns exec` line that comes closest, with
// the clean environment topo gives it, and what topo does beyond it.
std::vector<std::string> ProgramShell(const Action& a) {
  const ProgramSpec& p = a.program();
  std::string line = "# ip netns exec " + Q(a.ns) + " env -i";
  if (p.cwd != "/") line += " -C " + Q(p.cwd);
  line += " PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/";
  line += " TOPO_NODE=" + Q(a.node) + " TOPO_NS=" + Q(a.ns);
  for (const auto& [name, value] : p.env) line += " " + Q(name + "=" + value);
  line += " " + Words(p.argv) + " &";
  std::string note =
      "#   topo runs it with the node's files and private dirs mounted, host name " + Q(a.node);
  if (!p.user.empty()) note += ", as user " + Q(p.user);
  if (!p.after.empty()) {
    std::string after;
    for (const std::string& x : p.after) after += (after.empty() ? "" : ", ") + x;
    note += ", after " + after;
  }
  std::vector<std::string> out = {line, note};
  out.push_back("#   ready: " + ReadinessText(p.ready));
  // A newline in an argument would end the comment (the rest would run), and
  // other control bytes would reach the terminal: shown as \xNN instead.
  for (std::string& l : out) l = EscapeForTerminal(l);
  return out;
}

// A file of the shell scripts' state directory, which keeps what the
// bring-up script changed on the host (a sysctl's previous value, a nat table
// it created) for the teardown script, as topo's journal does for `down`.
std::string RootState(const std::string& name) { return "\"$TOPO_SHELL_STATE\"/" + Q(name); }

// Before the host's rules go into `table`: whether they create it, kept for the teardown script.
std::string RootTableCheck(bool ipv6, const std::string& table) {
  return std::string(ipv6 ? "ip6tables" : "iptables") + "-save | grep -x '\\*" + table +
         "' > /dev/null || touch " + RootState("new-" + table + "-table." + (ipv6 ? "ip6" : "ip"));
}

// After they are deleted: the table goes too if they created it and nothing else is in it.
std::string RootTableRemoval(bool ipv6, const std::string& table) {
  return "if [ -e " + RootState("new-" + table + "-table." + (ipv6 ? "ip6" : "ip")) + " ] && ! " +
         (ipv6 ? "ip6tables" : "iptables") + "-save -t " + table +
         " | grep -E '^(-A |:[^ ]+ - )' > /dev/null; then nft delete table " +
         (ipv6 ? "ip6" : "ip") + " " + table + "; fi";
}

// `iptables -t TABLE -A CHAIN ...` (or -D) for one firewall rule, in the action's namespace.
std::string FirewallCommand(const Action& a, const FirewallRuleSpec& r, const char* op) {
  std::string s = InNs(a) + (a.firewall().family == 6 ? "ip6tables" : "iptables") + " -t " +
                  a.firewall().table + " " + op + " " + IptablesChain(r.chain);
  for (const std::string& word : FirewallRuleWords(r)) s += " " + Q(word);
  return s;
}

// The policies of a firewall action (set, or with `reset` put back to ACCEPT).
std::vector<std::string> PolicyCommands(const Action& a, bool reset) {
  std::vector<std::string> out;
  for (const FirewallPolicy& p : a.firewall().policies) {
    out.push_back(InNs(a) + (a.firewall().family == 6 ? "ip6tables" : "iptables") + " -P " +
                  IptablesChain(p.chain) + " " + (reset ? "ACCEPT" : IptablesTarget(p.action)));
  }
  return out;
}

// Whether the plan changes sysctls or snat rules of the host (a root node).
bool TouchesRootState(const Plan& plan) {
  for (const Action& a : plan.actions) {
    if (a.ns.empty() && (a.kind == ActionKind::kSetSysctl || a.kind == ActionKind::kAddSnat ||
                         a.kind == ActionKind::kAddFirewall)) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> ImpairmentShell(const Action& a) {
  return ImpairmentTcCommands("tc -n " + Q(a.ns) + " qdisc replace dev " + Q(a.ifname),
                              a.impairment());
}

}  // namespace

bool SnatIsIpv6(const Action& a) { return !a.snat().empty() && a.snat()[0].source.family() == 6; }

std::vector<std::string> ActionToShell(const Action& a) {
  switch (a.kind) {
    case ActionKind::kCreateNamespace:
      return {"ip netns add " + Q(a.ns)};
    case ActionKind::kCreateVeth:
      return {"ip link add name " + Q(a.ifname) + NetnsArg(a.ns) + " type veth peer name " +
              Q(a.peer_ifname()) + NetnsArg(a.peer_ns())};
    case ActionKind::kSetMtu:
      return {IpN(a) + "link set dev " + Q(a.ifname) + " mtu " + std::to_string(a.mtu())};
    case ActionKind::kSetMac:
      return {IpN(a) + "link set dev " + Q(a.ifname) + " address " + a.mac().ToString()};
    case ActionKind::kSetSysctl:
      if (a.ns.empty()) {  // the host's: its value before up is kept for the teardown script
        return {"[ -e " + RootState("sysctl." + a.key()) + " ] || sysctl -n " + Q(a.key()) + " > " +
                    RootState("sysctl." + a.key()),
                "sysctl -qw " + Q(a.key() + "=" + a.value())};
      }
      return {InNs(a) + "sysctl -qw " + Q(a.key() + "=" + a.value())};
    case ActionKind::kAddAddress:
      return {IpN(a) + "addr add " + a.address().ToString() + " dev " + Q(a.ifname) +
              (a.address().family() == 6 ? " nodad" : "")};
    case ActionKind::kSetLinkUp:
      return {IpN(a) + "link set dev " + Q(a.ifname) + " up"};
    case ActionKind::kAddRoute:
      return {IpN(a, a.route().family) + "route add " + RouteArgs(a.route())};
    case ActionKind::kAddSnat: {
      std::vector<std::string> out;
      if (a.ns.empty()) out.push_back(RootTableCheck(SnatIsIpv6(a), "nat"));  // the host's
      for (const SnatSpec& r : a.snat()) out.push_back(SnatCommand(a, r, "-A"));
      return out;
    }
    case ActionKind::kAddFirewall: {
      std::vector<std::string> out = PolicyCommands(a, false);
      if (a.ns.empty()) out.push_back(RootTableCheck(a.firewall().family == 6, a.firewall().table));
      for (const FirewallRuleSpec& r : a.firewall().rules) {
        out.push_back(FirewallCommand(a, r, "-A"));
      }
      return out;
    }
    case ActionKind::kCreateBridge:
      return {IpN(a) + "link add name " + Q(a.ifname) + " type bridge stp_state " +
              (a.stp() ? "1" : "0") + (a.vlan_filtering() ? " vlan_filtering 1" : "")};
    case ActionKind::kCreateVlan:
      return {IpN(a) + "link add link " + Q(a.parent()) + " name " + Q(a.ifname) +
              " type vlan id " + std::to_string(a.vlan())};
    case ActionKind::kCreateInterface:
      if (a.virt().socket_here && !a.ns.empty()) {  // made here, then moved into a.ns
        return {"ip link add " + plan_internal::VirtualShellArgs(a.virt(), a.ifname, Q) +
                " netns " + Q(a.ns)};
      }
      return {IpN(a) + "link add " + plan_internal::VirtualShellArgs(a.virt(), a.ifname, Q)};
    case ActionKind::kSetPortVlans: {
      // A port joins a filtering bridge in VLAN 1 (untagged, pvid): replaced.
      std::vector<std::string> out = {BridgeN(a) + "vlan del dev " + Q(a.ifname) + " vid 1"};
      for (int id : a.port_vlans().tagged) {
        out.push_back(BridgeN(a) + "vlan add dev " + Q(a.ifname) + " vid " + std::to_string(id));
      }
      if (a.port_vlans().untagged) {
        out.push_back(BridgeN(a) + "vlan add dev " + Q(a.ifname) + " vid " +
                      std::to_string(a.port_vlans().untagged) + " pvid untagged");
      }
      return out;
    }
    case ActionKind::kSetMaster:
      return {IpN(a) + "link set dev " + Q(a.ifname) + " master " + Q(a.master())};
    case ActionKind::kSetImpairment:
      return ImpairmentShell(a);
    case ActionKind::kWriteEtcFile: {
      const std::string dir = EtcNetnsPath(a.ns, "");
      const std::string path = EtcNetnsPath(a.ns, a.key());
      std::string write = a.peer_ns().empty()
                              ? "cat > " + Q(path) + " <<'TOPO_EOF'\n" + a.value() + "TOPO_EOF"
                              : "ln " + Q(EtcNetnsPath(a.peer_ns(), a.key())) + " " + Q(path);
      return {"mkdir -p " + Q(dir.substr(0, dir.size() - 1)), write};
    }
    case ActionKind::kMakeNodeDir:
      return {"mkdir -p " + NodePath(a, a.key())};
    case ActionKind::kWriteNodeFile: {
      const std::string dir = a.key().substr(0, a.key().rfind('/'));
      std::vector<std::string> out = {"mkdir -p " + NodePath(a, dir)};
      out.push_back(PrintfContent(a.value()) + " > " + NodePath(a, a.key()));
      out.push_back("chmod " + ModeString(a.mode()) + " " + NodePath(a, a.key()));
      return out;
    }
    case ActionKind::kStartProgram:
      return ProgramShell(a);
  }
  return {};
}

std::vector<std::string> InverseToShell(const Action& a) {
  switch (a.kind) {
    case ActionKind::kCreateNamespace:
      return {"ip netns del " + Q(a.ns)};
    case ActionKind::kCreateVeth:
      return {IpN(a) + "link del dev " + Q(a.ifname)};
    case ActionKind::kSetMtu:
      return {IpN(a) + "link set dev " + Q(a.ifname) + " mtu 1500"};
    case ActionKind::kSetMac:
      return {};  // the interface's own address goes with the interface
    case ActionKind::kSetSysctl:
      // In a lab namespace it goes with the namespace; the host's previous
      // value is the one the bring-up script saved (topo down has its journal).
      if (a.ns.empty()) {
        const std::string saved = RootState("sysctl." + a.key());
        return {"if [ -e " + saved + " ]; then sysctl -qw " + Q(a.key()) + "=\"$(cat " + saved +
                ")\"; else echo " + Q("no saved value of " + a.key() + ": left as it is") +
                " >&2; fi"};
      }
      return {};
    case ActionKind::kAddAddress:
      return {IpN(a) + "addr del " + a.address().ToString() + " dev " + Q(a.ifname)};
    case ActionKind::kSetLinkUp:
      return {IpN(a) + "link set dev " + Q(a.ifname) + " down"};
    case ActionKind::kAddRoute:
      return {IpN(a, a.route().family) + "route del " + RouteArgs(a.route())};
    case ActionKind::kAddSnat: {
      std::vector<std::string> out;
      for (const SnatSpec& r : a.snat()) out.push_back(SnatCommand(a, r, "-D"));
      // The nat table the rules created, if nothing else uses it.
      if (a.ns.empty()) out.push_back(RootTableRemoval(SnatIsIpv6(a), "nat"));
      return out;
    }
    case ActionKind::kAddFirewall: {
      std::vector<std::string> out;
      for (const FirewallRuleSpec& r : a.firewall().rules) {
        out.push_back(FirewallCommand(a, r, "-D"));
      }
      for (std::string& p : PolicyCommands(a, true)) out.push_back(std::move(p));
      if (a.ns.empty())
        out.push_back(RootTableRemoval(a.firewall().family == 6, a.firewall().table));
      return out;
    }
    case ActionKind::kCreateBridge:
    case ActionKind::kCreateVlan:
    case ActionKind::kCreateInterface:
      return {IpN(a) + "link del dev " + Q(a.ifname)};
    case ActionKind::kSetPortVlans: {
      std::vector<std::string> out;
      for (int id : a.port_vlans().tagged) {
        out.push_back(BridgeN(a) + "vlan del dev " + Q(a.ifname) + " vid " + std::to_string(id));
      }
      if (a.port_vlans().untagged) {
        out.push_back(BridgeN(a) + "vlan del dev " + Q(a.ifname) + " vid " +
                      std::to_string(a.port_vlans().untagged));
      }
      return out;
    }
    case ActionKind::kSetMaster:
      return {IpN(a) + "link set dev " + Q(a.ifname) + " nomaster"};
    case ActionKind::kSetImpairment:
      return {"tc -n " + Q(a.ns) + " qdisc del dev " + Q(a.ifname) + " root"};
    case ActionKind::kWriteEtcFile: {
      const std::string dir = EtcNetnsPath(a.ns, "");
      return {"rm -f " + Q(EtcNetnsPath(a.ns, a.key())),
              "rmdir --ignore-fail-on-non-empty " + Q(dir.substr(0, dir.size() - 1))};
    }
    case ActionKind::kMakeNodeDir:
      return {"rm -rf " + NodePath(a, a.key())};
    case ActionKind::kWriteNodeFile:
      return {"rm -f " + NodePath(a, a.key())};
    case ActionKind::kStartProgram:
      return {"# end it: SIGTERM, then SIGKILL after " + DurationText(a.program().stop_timeout_ms) +
              " (topo down ends it by the pid it recorded, and every other process in the node)"};
  }
  return {};
}

std::string FormatPlanShell(const Plan& plan, bool teardown) {
  std::string out = "#!/usr/bin/env bash\n";
  out += "# " + std::string(teardown ? "Teardown" : "Bring-up") + " of lab '" + plan.lab +
         "', generated by `topo plan --format shell" + (teardown ? " --teardown" : "") + "`.\n";
  out += "# The same actions, in the same order, that `topo " +
         std::string(teardown ? "down" : "up") + "` performs through netlink.\n";
  out += "set -euo pipefail\n";
  const bool node_files =
      std::any_of(plan.actions.begin(), plan.actions.end(), [](const Action& a) {
        return a.kind == ActionKind::kMakeNodeDir || a.kind == ActionKind::kWriteNodeFile;
      });
  if (node_files) {
    out +=
        "# Nodes' files and private dirs, here under $nodes/NODE; topo keeps them in its state\n";
    out += "# directory and mounts them into the view of each program of the node.\n";
    out += "nodes=\"${TOPO_NODES_DIR:-/tmp/topo-" + plan.lab + "-nodes}\"\n";
  }
  const bool root_state = TouchesRootState(plan);
  if (root_state) {
    out += "# What the host had before (sysctl values, whether a nat table existed) is kept\n";
    out += "# here by the bring-up script for the teardown script.\n";
    out += "TOPO_SHELL_STATE=\"${TOPO_SHELL_STATE:-/run/topo-shell/" + plan.lab + "}\"\n";
    if (!teardown) out += "mkdir -p \"$TOPO_SHELL_STATE\"\n";
  }
  if (!teardown) {
    for (const Action& a : plan.actions) {
      out += "\n# " + Describe(a) + "\n";
      for (const std::string& cmd : ActionToShell(a)) out += cmd + "\n";
    }
    return out;
  }
  out += "# Removing a namespace removes everything inside it, so the inverses of actions\n";
  out += "# inside the lab's namespaces are listed as comments; only the namespaces and\n";
  out += "# their /etc/netns files go.\n";
  for (const Action& a : plan.actions) {
    if (a.ns.empty() || (a.kind == ActionKind::kCreateVeth && a.peer_ns().empty())) {
      out += "# What the lab changed in the root namespace is undone one by one.\n";
      break;
    }
  }
  const std::vector<bool> moot = MootActions(plan, std::vector<bool>(plan.actions.size(), true));
  for (size_t i = plan.actions.size(); i-- > 0;) {
    const Action& a = plan.actions[i];
    out += "\n# " + DescribeInverse(a) + "\n";
    for (const std::string& cmd : InverseToShell(a)) out += (moot[i] ? "# " : "") + cmd + "\n";
  }
  if (root_state) {
    out += "\n# forget what the bring-up script kept\n";
    out += "rm -f \"$TOPO_SHELL_STATE\"/sysctl.* \"$TOPO_SHELL_STATE\"/new-nat-table.*\n";
    out += "rmdir \"$TOPO_SHELL_STATE\"\n";
  }
  return out;
}

}  // namespace topo
