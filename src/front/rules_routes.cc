// The checks on each node's routes and snat rules: interfaces that do not exist,
// mixed address families, gateways that cannot be reached (or that are the
// node's own address), duplicate routes, and snat where nothing is forwarded.
#include <map>
#include <tuple>

#include "front/rules.h"
#include "front/rules_internal.h"

namespace topo::check_internal {
namespace {

// The interface of `n` that holds address `a`, or nullptr.
const Interface* OwnerOf(const Node& n, const IpAddress& a, const Prefix** prefix = nullptr) {
  for (const Interface& i : n.interfaces) {
    for (const Prefix& p : i.addresses) {
      if (p.addr != a) continue;
      if (prefix) *prefix = &p;
      return &i;
    }
  }
  return nullptr;
}

// "use the neighbour's address (10.0.1.2 on server:vethS)" when the neighbour
// across `own`'s link has an address in the subnet of `p`.
std::string NeighbourHint(const LabIndex& lab, const Node& n, const Interface& own,
                          const Prefix& p) {
  std::string hint = "a gateway is a neighbour's address; use the address of the next hop";
  for (const Endpoint* peer : SegmentNeighbours(lab, n.name, own.name)) {
    const Interface* pi = lab.FindEndpoint(*peer);
    if (!pi) continue;
    for (const Prefix& q : pi->addresses) {
      if (p.Contains(q.addr) && q.addr != p.addr) {
        return "use the neighbour's address (" + q.addr.ToString() + " on " + peer->ToString() +
               ")";
      }
    }
  }
  return hint;
}

// Reports a gateway that no directly connected subnet of `n` contains. `dev`,
// when it names an interface, limits the subnets to that interface's.
// The IPv4 broadcast address of `p`'s subnet: every host bit set.
IpAddress BroadcastOf(const Prefix& p) {
  IpAddress b = p.addr;
  for (int bit = p.length; bit < 32; ++bit) {
    b.bytes[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
  }
  return b;
}

void CheckGatewayReachable(const Node& n, const Route& r, const Interface* dev,
                           DiagnosticList* diags) {
  const IpAddress& via = *r.via;
  std::string subnets;
  for (const Interface& i : n.interfaces) {
    if (i.name == "lo" || (dev && &i != dev)) continue;
    for (const Prefix& p : i.addresses) {
      if (p.family() != via.family || !IsRoutable(p.addr)) continue;
      if (p.Contains(via)) {
        // The subnet's broadcast address is no neighbour (the kernel refuses it).
        if (via.is_v4() && p.length < 31 && via == BroadcastOf(p)) {
          ErrorAt(diags, Prefer(r.via_src, r.src),
                  "gateway " + via.ToString() + " is the broadcast address of " +
                      p.Network().ToString() + " on " + Quote(n.name + ":" + i.name),
                  "the gateway must be a neighbour's address");
        }
        return;
      }
      if (!subnets.empty()) subnets += ", ";
      subnets += p.Network().ToString() + (dev ? "" : " on " + i.name);
    }
  }
  std::string where = dev ? Quote(n.name + ":" + dev->name) : Quote(n.name);
  if (subnets.empty()) {
    subnets = (dev ? dev->name : "it") + std::string(" has no ") + FamilyName(via.family) +
              " subnet" + (dev ? "" : " outside 'lo'");
  }
  ErrorAt(diags, Prefer(r.via_src, r.src),
          "gateway " + via.ToString() + " is not in any subnet directly connected to " + where +
              " (" + subnets + ")",
          "the gateway must be a neighbour's address, on a subnet of one of the node's interfaces");
}

// "route #2 of node 'server'", numbered as in the file (Build drops routes it
// cannot parse, so the position in n.routes may differ): the schema's wording.
std::string RouteOrdinal(const Node& n, const Route& r) {
  const std::string& p = r.src.pointer;
  const std::string last = p.substr(p.rfind('/') + 1);
  int index = 0;
  for (char c : last) {
    if (c < '0' || c > '9') break;
    index = index * 10 + (c - '0');
  }
  return "route #" + std::to_string(index + 1) + " of node " + Quote(n.name);
}

void CheckRoute(const LabIndex& lab, const Node& n, const Route& r, DiagnosticList* diags) {
  const std::string route = r.is_default() ? "default " + FamilyName(r.family) + " route"
                                           : "route to " + r.to->ToString();
  const Interface* dev = nullptr;
  bool dev_ok = r.dev.empty() || r.dev == "lo";
  if (!r.dev.empty()) {
    dev = n.FindInterface(r.dev);
    dev_ok = dev_ok || dev;
    if (!dev_ok) {
      ErrorAt(diags, Prefer(r.dev_src, r.src),
              "node " + Quote(n.name) + " has no interface " + Quote(r.dev) +
                  DidYouMean(r.dev, InterfaceNames(n)),
              "'dev' names one of the node's interfaces");
    }
  }
  if (!r.via) {
    if (r.dev.empty()) {
      // Worded as the schema words it, so that the two reports merge into one.
      ErrorAt(diags, r.src, RouteOrdinal(n, r) + " needs 'via' or 'dev'",
              "give the gateway with 'via', the outgoing interface with 'dev', or both");
    }
    return;
  }
  const IpAddress& via = *r.via;
  const Source& via_src = Prefer(r.via_src, r.src);
  if (via.family != r.family) {
    ErrorAt(diags, via_src,
            "gateway " + via.ToString() + " is " + FamilyName(via.family) + " but the " + route +
                " is " + FamilyName(r.family),
            "a route and its gateway are of one family; write separate routes for IPv4 and IPv6");
    return;
  }
  const Prefix* own_prefix = nullptr;
  if (const Interface* own = OwnerOf(n, via, &own_prefix)) {
    ErrorAt(diags, via_src,
            "gateway " + via.ToString() + " is an address of " + Quote(n.name) + " itself",
            NeighbourHint(lab, n, *own, *own_prefix));
    return;
  }
  if (IsLinkLocal6(via)) {
    if (r.dev.empty()) {
      ErrorAt(diags, via_src, "link-local gateway " + via.ToString() + " needs 'dev'",
              "a link-local address is only meaningful with the interface it is on");
    }
    return;
  }
  if (dev_ok) CheckGatewayReachable(n, r, dev, diags);
}

// Two routes with one destination and metric: the kernel refuses the second.
void CheckDuplicateRoutes(const Node& n, DiagnosticList* diags) {
  std::map<std::tuple<int, bool, Prefix, int>, const Route*> seen;
  for (const Route& r : n.routes) {
    // The kernel's default metrics: 0 for IPv4, 1024 for IPv6.
    const int metric = r.metric.value_or(r.family == 6 ? 1024 : 0);
    auto [it, inserted] = seen.emplace(
        std::make_tuple(r.family, r.is_default(), r.to.value_or(Prefix{}), metric), &r);
    if (inserted) continue;
    const std::string line = std::to_string(it->second->src.loc.line);
    const std::string what = r.is_default() ? "default " + FamilyName(r.family) + " route"
                                            : "route to " + r.to->ToString();
    ErrorAt(diags, Prefer(r.to_src, r.src),
            what + " with metric " + std::to_string(metric) + " is already defined at line " + line,
            "the kernel keeps one route per destination and metric; give one a different metric "
            "or remove it");
  }
}

}  // namespace

void CheckRoutes(const LabIndex& lab, DiagnosticList* diags) {
  for (const Node& n : lab.topology().nodes) {
    for (const Route& r : n.routes) CheckRoute(lab, n, r, diags);
    CheckDuplicateRoutes(n, diags);
  }
}

// Whether the root node forwards the traffic its snat rules translate, as
// its sysctls set it (the host's own setting is not the lab's to assume).
// IPv4 forwards per incoming interface: net.ipv4.ip_forward (which sets
// every interface), net.ipv4.conf.all.forwarding, or
// net.ipv4.conf.IF.forwarding on one of the lab's interfaces, the ones the
// translated traffic comes in by. IPv6 forwards only with
// net.ipv6.conf.all.forwarding.
static bool RootForwards(const Node& n, int family) {
  for (const Sysctl& s : n.sysctls) {
    if (s.value != "1") continue;
    if (family == 6) {
      if (s.key == "net.ipv6.conf.all.forwarding") return true;
      continue;
    }
    if (s.key == "net.ipv4.ip_forward" || s.key == "net.ipv4.conf.all.forwarding") return true;
    const std::string prefix = "net.ipv4.conf.", suffix = ".forwarding";
    if (s.key.size() > prefix.size() + suffix.size() && s.key.starts_with(prefix) &&
        s.key.ends_with(suffix)) {
      const std::string ifname =
          s.key.substr(prefix.size(), s.key.size() - prefix.size() - suffix.size());
      if (n.FindInterface(ifname)) return true;
    }
  }
  return false;
}

// The first snat rule of the root node whose family it does not forward, or nullptr.
static const SnatRule* RootSnatNotForwarded(const Node& n) {
  for (const SnatRule& s : n.snat) {
    if (!RootForwards(n, s.source.family())) return &s;
  }
  return nullptr;
}

static std::string RootForwardingHint(const Node& n, const SnatRule& s) {
  if (s.source.family() == 6) return "set net.ipv6.conf.all.forwarding: 1 under its sysctls";
  const std::string in = n.interfaces.empty() ? "IF" : n.interfaces.front().name;
  return "set net.ipv4.conf." + in +
         ".forwarding: 1 under its sysctls for each interface the traffic comes in by (or "
         "net.ipv4.ip_forward: 1, which makes the host forward on every interface)";
}

void CheckSnat(const LabIndex& lab, DiagnosticList* diags) {
  for (const Node& n : lab.topology().nodes) {
    if (n.is_root()) {
      if (const SnatRule* s = RootSnatNotForwarded(n)) {
        WarningAt(diags, s->src,
                  "snat on node " + Quote(n.name) + ", which does not forward " +
                      FamilyName(s->source.family()) + " (kind: root)",
                  RootForwardingHint(n, *s));
      }
    } else if (!n.snat.empty() && !n.forwards() && !n.is_switch()) {
      WarningAt(diags, n.snat.front().src,
                "snat on node " + Quote(n.name) +
                    ", which does not forward (kind: " + NodeKindName(n.kind) + ")",
                "set kind: router");
    }
    for (const SnatRule& s : n.snat) {
      // The root node's `out` is usually the host's uplink, which the lab does not declare.
      if (n.is_root() && !s.out.empty() && !n.FindInterface(s.out)) {
        if (std::string problem = InterfaceNameProblem(s.out); !problem.empty()) {
          ErrorAt(diags, Prefer(s.out_src, s.src), "interface name " + Quote(s.out) + " " + problem,
                  "'out' names the host interface the translated packets leave by, e.g. eth0");
        }
      } else if (!s.out.empty() && !n.FindInterface(s.out)) {
        ErrorAt(diags, Prefer(s.out_src, s.src),
                "node " + Quote(n.name) + " has no interface " + Quote(s.out) +
                    DidYouMean(s.out, InterfaceNames(n)),
                "'out' names the interface the translated packets leave by");
      }
      if (!s.to) continue;
      const Source& to_src = Prefer(s.to_src, s.src);
      if (s.to->family != s.source.family()) {
        ErrorAt(diags, to_src,
                "snat address " + s.to->ToString() + " is " + FamilyName(s.to->family) +
                    " but the source " + s.source.ToString() + " is " +
                    FamilyName(s.source.family()));
      } else if (!OwnerOf(n, *s.to)) {
        WarningAt(diags, to_src,
                  "snat address " + s.to->ToString() + " is not an address of " + Quote(n.name),
                  "replies to it will not come back to " + Quote(n.name) +
                      "; use one of its addresses, usually one on the 'out' interface");
      }
    }
  }
}

}  // namespace topo::check_internal
