// Resolving declared checks into CheckSpecs, and CheckSpecs as JSON. Running
// them is in probe.cc.
#include "checks/checks.h"

#include <nlohmann/json.hpp>
#include <unordered_map>

#include "model/addressing.h"

namespace topo {
std::string DefaultCheckName(const DeclaredCheck& c) {
  std::string name = std::string(ProbeKindName(c.kind)) + " " + c.from + " -> " + c.to;
  if (c.port != 0) {
    name += (c.to_address && c.to_address->family == 6 ? " port " : ":") + std::to_string(c.port);
  }
  if (c.source) name += " from " + c.source->ToString();
  if (c.family != 0) name += c.family == 6 ? " (IPv6)" : " (IPv4)";
  if (!c.expect_success) name += " (expect failure)";
  return name;
}

namespace {

// The nodes by name and by address (the first node with it, as
// NodeWithAddress finds it), made once: resolving C checks of a lab of N
// nodes is O(C + N), not O(C N).
class NodeIndex {
 public:
  explicit NodeIndex(const Topology& t) {
    for (const Node& n : t.nodes) {
      by_name_.emplace(n.name, &n);
      for (const Interface& i : n.interfaces) {
        for (const Prefix& p : i.addresses) by_address_.emplace(p.addr.ToString(), &n);
      }
    }
  }
  const Node* Named(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }
  // NodeWithAddress(t, a), looked up.
  const Node* WithAddress(const IpAddress& a) const {
    if (IsLoopback(a)) return nullptr;
    auto it = by_address_.find(a.ToString());
    return it == by_address_.end() ? nullptr : it->second;
  }

 private:
  std::unordered_map<std::string, const Node*> by_name_, by_address_;
};

}  // namespace

std::vector<CheckSpec> ResolveChecks(const Topology& t, const std::string& machine) {
  std::vector<CheckSpec> specs;
  const NodeIndex nodes(t);
  std::vector<CheckSpec> served;
  for (const DeclaredCheck& c : t.checks) {
    const Node* from = nodes.Named(c.from);
    const bool mine = machine.empty() || !from || from->placement == machine;
    CheckSpec s;
    s.name = c.name.empty() ? DefaultCheckName(c) : c.name;
    s.kind = c.kind;
    s.from_node = c.from;
    if (from) s.from_ns = t.NamespaceOfNode(*from);
    s.to = c.to;
    if (c.to_address) {
      s.target = *c.to_address;
    } else if (const Node* n = nodes.Named(c.to)) {
      s.target = NodeAddress(*n, c.family).value_or(IpAddress{});
    }
    const bool listens = c.kind == ProbeKind::kUdp || (c.kind == ProbeKind::kTcp && c.listen);
    if (listens) {
      // A loopback target is the source node's own.
      const Node* owner = IsLoopback(s.target) ? nodes.Named(c.from) : nodes.WithAddress(s.target);
      if (owner) {
        s.listens = true;
        s.listen_node = owner->name;
        s.listen_ns = t.NamespaceOfNode(*owner);
        // Across machines (validation allows only tcp, without source).
        if (!machine.empty() && from && owner->placement != from->placement) {
          s.listen_machine = owner->placement;
          if (c.within_ms == 0) s.within_ms = kAcrossWithinMs;
        }
      }
    }
    s.port = c.port;
    s.source = c.source;
    s.expect_success = c.expect_success;
    s.timeout_ms = c.timeout_ms;
    if (s.within_ms == 0) s.within_ms = c.within_ms;
    if (s.listen_machine.empty()) {
      if (mine) specs.push_back(std::move(s));
    } else if (mine) {
      s.listens = false;  // topo listens on the other machine
      s.listen_node.clear();
      s.listen_ns.clear();
      specs.push_back(std::move(s));
    } else if (s.listen_machine == machine) {
      s.serve = true;
      s.from_machine = from->placement;
      served.push_back(std::move(s));
    }
  }
  for (CheckSpec& s : served) specs.push_back(std::move(s));
  return specs;
}

std::vector<CheckSpec> TakeServed(std::vector<CheckSpec>* specs) {
  std::vector<CheckSpec> served;
  for (CheckSpec& s : *specs) {
    if (s.serve) served.push_back(std::move(s));
  }
  std::erase_if(*specs, [](const CheckSpec& s) { return s.serve; });
  return served;
}

nlohmann::json CheckSpecsToJson(const std::vector<CheckSpec>& specs) {
  nlohmann::json out = nlohmann::json::array();
  for (const CheckSpec& s : specs) {
    nlohmann::json j = {{"name", s.name},
                        {"kind", ProbeKindName(s.kind)},
                        {"from_node", s.from_node},
                        {"from_ns", s.from_ns},
                        {"to", s.to},
                        {"target", s.target.ToString()},
                        {"expect", s.expect_success ? "success" : "failure"},
                        {"timeout_ms", s.timeout_ms}};
    if (s.within_ms > 0) j["within_ms"] = s.within_ms;
    if (!s.listen_machine.empty()) j["listen_machine"] = s.listen_machine;
    if (s.serve) j["serve"] = s.from_machine;
    if (s.listens) {
      j["listen_node"] = s.listen_node;
      j["listen_ns"] = s.listen_ns;
    }
    if (s.kind != ProbeKind::kPing) j["port"] = s.port;
    if (s.source) j["source"] = s.source->ToString();
    out.push_back(std::move(j));
  }
  return out;
}

Status CheckSpecsFromJson(const nlohmann::json& j, std::vector<CheckSpec>* out) {
  if (!j.is_array()) return Status::InvalidArgument("checks: expected a JSON array");
  std::vector<CheckSpec> specs;
  try {
    for (const nlohmann::json& e : j) {
      CheckSpec s;
      s.name = e.at("name").get<std::string>();
      const std::string kind = e.at("kind").get<std::string>();
      if (kind == "ping") {
        s.kind = ProbeKind::kPing;
      } else if (kind == "tcp") {
        s.kind = ProbeKind::kTcp;
      } else if (kind == "udp") {
        s.kind = ProbeKind::kUdp;
      } else {
        return Status::InvalidArgument("checks: unknown kind '" + kind + "'");
      }
      s.from_node = e.at("from_node").get<std::string>();
      s.from_ns = e.at("from_ns").get<std::string>();
      s.to = e.at("to").get<std::string>();
      auto target = ParseIp(e.at("target").get<std::string>());
      if (!target) return Status::InvalidArgument("checks: bad target in '" + s.name + "'");
      s.target = *target;
      s.listens = e.contains("listen_node");
      s.listen_node = e.value("listen_node", "");
      s.listen_ns = e.value("listen_ns", "");
      s.port = e.value("port", 0);
      if (e.contains("source")) {
        s.source = ParseIp(e.at("source").get<std::string>());
        if (!s.source) return Status::InvalidArgument("checks: bad source in '" + s.name + "'");
      }
      s.expect_success = e.at("expect").get<std::string>() != "failure";
      s.timeout_ms = e.at("timeout_ms").get<int>();
      s.within_ms = e.value("within_ms", 0);
      s.listen_machine = e.value("listen_machine", "");
      s.from_machine = e.value("serve", "");
      s.serve = !s.from_machine.empty();
      specs.push_back(std::move(s));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("checks: ") + e.what());
  }
  *out = std::move(specs);
  return Status::OK();
}

}  // namespace topo
