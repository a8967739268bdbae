// A node's `forward:` (port forwards) and `firewall:` (policy and filter
// rules), from YAML to FirewallRule values. Like the rest of Build it is
// tolerant: what the schema rejects (unknown keys, wrong types, a chain or
// action it does not know) is skipped quietly; what only Build can see (an
// address, a prefix, a port range or an `ip:port` that does not parse) it
// reports at the value. Combinations (a port without tcp or udp, mixed
// families, unknown interfaces) are rules_firewall.cc's.
#include <string>

#include "front/build.h"

namespace topo {

namespace {

bool IsMap(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }
bool IsSeq(const YAML::Node& n) { return n.IsDefined() && n.IsSequence(); }

class FirewallBuilder {
 public:
  FirewallBuilder(Node* node, DiagnosticList* diags) : node_(node), diags_(diags) {}

  void Forward(const YAML::Node& body, const std::string& ptr) {
    if (!IsMap(body)) return;
    FirewallRule r;
    r.chain = "prerouting";
    r.action = "dnat";
    if (!Common(body, ptr, &r)) return;
    const YAML::Node to = body["to"];
    r.to_src = SourceOf(to, ptr + "/to");
    if (!IsScalar(to)) return;  // required: the schema says so
    if (!ParseDestination(to.Scalar(), &r)) {
      diags_->Error(LocationOf(to), ptr + "/to",
                    "forward destination '" + to.Scalar() + "' is not an address or address:port",
                    "e.g. \"10.0.2.10:80\", or \"[2001:db8::10]:80\" for IPv6");
      return;
    }
    r.family = r.dnat_to->family;
    node_->port_forwards.push_back(r);
  }

  void Rule(const YAML::Node& body, const std::string& ptr) {
    if (!IsMap(body)) return;
    FirewallRule r;
    if (IsScalar(body["chain"])) r.chain = body["chain"].Scalar();
    if (IsScalar(body["action"])) r.action = body["action"].Scalar();
    if (!Common(body, ptr, &r)) return;
    const YAML::Node to = body["to"];
    r.to_src = SourceOf(to, ptr + "/to");
    if (IsScalar(to)) {
      r.to = Network(to, ptr + "/to", "destination");
      if (!r.to) return;
    }
    const YAML::Node state = body["state"];
    if (IsSeq(state)) {
      for (const auto& s : state) {
        if (IsScalar(s)) r.state.push_back(s.Scalar());
      }
    }
    // The family follows the addresses (mixed ones are Check's to report);
    // none: both families, but ICMPv6 is IPv6's own.
    r.family = r.from ? r.from->family() : r.to ? r.to->family() : r.proto == "icmpv6" ? 6 : 0;
    node_->firewall.push_back(r);
  }

  void Policy(const YAML::Node& body, const std::string& ptr) {
    if (!IsMap(body)) return;
    for (const auto& kv : body) {
      if (!IsScalar(kv.first) || !IsScalar(kv.second)) continue;
      FirewallPolicyEntry p;
      p.chain = kv.first.Scalar();
      p.action = kv.second.Scalar();
      p.src = SourceOf(kv.second, PointerJoin(ptr, p.chain));
      node_->firewall_policy.push_back(p);
    }
  }

 private:
  // What forwards and filter rules share: from, proto, port, sport, in, out.
  bool Common(const YAML::Node& body, const std::string& ptr, FirewallRule* r) {
    r->src = SourceOf(body, ptr);
    const YAML::Node from = body["from"];
    r->from_src = SourceOf(from, ptr + "/from");
    if (IsScalar(from)) {
      r->from = Network(from, ptr + "/from", "source");
      if (!r->from) return false;
    }
    if (IsScalar(body["proto"]) && body["proto"].Scalar() != "any")
      r->proto = body["proto"].Scalar();
    r->proto_src = SourceOf(body["proto"], ptr + "/proto");
    if (IsScalar(body["in"])) r->in = body["in"].Scalar();
    r->in_src = SourceOf(body["in"], ptr + "/in");
    if (IsScalar(body["out"])) r->out = body["out"].Scalar();
    r->out_src = SourceOf(body["out"], ptr + "/out");
    r->port_src = SourceOf(body["port"], ptr + "/port");
    r->sport_src = SourceOf(body["sport"], ptr + "/sport");
    return Ports(body["port"], ptr + "/port", &r->port) &&
           Ports(body["sport"], ptr + "/sport", &r->sport);
  }

  bool Ports(const YAML::Node& n, const std::string& ptr, PortRange* out) {
    if (!IsScalar(n)) return true;
    auto range = ParsePortRange(n.Scalar());
    // A number out of range is the schema's to report (a plain integer); a
    // string only Build reads.
    const bool integer =
        n.Tag() == "?" && n.Scalar().find_first_not_of("0123456789") == std::string::npos;
    if (!range && integer) return false;
    if (!range) {
      diags_->Error(LocationOf(n), ptr,
                    "port '" + n.Scalar() + "' is not a port (1-65535) or a range of ports",
                    "e.g. 80, or \"1000-2000\"");
      return false;
    }
    *out = *range;
    return true;
  }

  // "10.0.1.0/24" (its network) or "10.0.2.10" (a /32 or /128).
  std::optional<Prefix> Network(const YAML::Node& n, const std::string& ptr, const char* what) {
    const std::string& text = n.Scalar();
    if (text.find('/') == std::string::npos) {
      if (auto a = ParseIp(text)) return Prefix{*a, a->max_prefix()};
      diags_->Error(LocationOf(n), ptr,
                    std::string("firewall ") + what + " '" + text +
                        "' is not a valid IPv4 or IPv6 address or prefix",
                    "e.g. 10.0.1.0/24 or 10.0.2.10");
      return std::nullopt;
    }
    std::string err;
    auto p = ParsePrefix(text, &err);
    if (!p) {
      diags_->Error(LocationOf(n), ptr, std::string("invalid firewall ") + what + ": " + err);
      return std::nullopt;
    }
    return p->Network();
  }

  // "10.0.2.10:80", "10.0.2.10", "[2001:db8::10]:80", "2001:db8::10".
  static bool ParseDestination(const std::string& text, FirewallRule* r) {
    std::string address = text, port;
    if (!text.empty() && text[0] == '[') {
      const size_t close = text.find("]:");
      if (close == std::string::npos) return false;
      address = text.substr(1, close - 1);
      port = text.substr(close + 2);
    } else if (text.find(':') == text.rfind(':') && text.find(':') != std::string::npos) {
      address = text.substr(0, text.find(':'));
      port = text.substr(text.find(':') + 1);
    }
    auto a = ParseIp(address);
    if (!a) return false;
    r->dnat_to = *a;
    if (port.empty()) return true;
    auto range = ParsePortRange(port);
    if (!range || range->first > range->last) return false;
    r->dnat_port = *range;
    return true;
  }

  Node* node_;
  DiagnosticList* diags_;
};

}  // namespace

void BuildNodeFirewall(const YAML::Node& body, const std::string& ptr, Node* node,
                       DiagnosticList* diags) {
  FirewallBuilder b(node, diags);
  const YAML::Node forward = body["forward"];
  if (IsSeq(forward)) {
    for (size_t i = 0; i < forward.size(); ++i) {
      b.Forward(forward[i], PointerJoin(ptr + "/forward", std::to_string(i)));
    }
  }
  const YAML::Node firewall = body["firewall"];
  if (!IsMap(firewall)) return;
  b.Policy(firewall["policy"], ptr + "/firewall/policy");
  const YAML::Node rules = firewall["rules"];
  if (IsSeq(rules)) {
    for (size_t i = 0; i < rules.size(); ++i) {
      b.Rule(rules[i], PointerJoin(ptr + "/firewall/rules", std::to_string(i)));
    }
  }
}

}  // namespace topo
