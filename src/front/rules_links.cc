// The checks on what wires the lab together: link endpoints (unknown nodes and
// interfaces, interfaces used twice or never), interface addresses (duplicates,
// special addresses), whether the two ends of a link share a subnet, link MTUs
// against IPv6, and MAC addresses.
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "front/rules.h"
#include "front/rules_internal.h"

namespace topo::check_internal {
namespace {

uint32_t V4ToInt(const IpAddress& a) {
  return (uint32_t{a.bytes[0]} << 24) | (uint32_t{a.bytes[1]} << 16) | (uint32_t{a.bytes[2]} << 8) |
         a.bytes[3];
}

IpAddress IntToV4(uint32_t v) {
  IpAddress a;
  a.family = 4;
  for (int k = 0; k < 4; ++k) a.bytes[k] = static_cast<uint8_t>(v >> (24 - 8 * k));
  return a;
}

// Warns about an IPv4 address that is its subnet's network or broadcast address
// (subnets of /31 and /32 have neither).
void CheckV4HostPart(const Prefix& p, const Source& src, DiagnosticList* diags) {
  if (!p.addr.is_v4() || p.length >= 31) return;
  const uint32_t host_mask = (p.length == 0) ? ~uint32_t{0} : (uint32_t{1} << (32 - p.length)) - 1;
  const uint32_t addr = V4ToInt(p.addr);
  const uint32_t network = addr & ~host_mask;
  const uint32_t broadcast = network | host_mask;
  if (addr != network && addr != broadcast) return;
  const std::string hint = "hosts take the addresses from " + IntToV4(network + 1).ToString() +
                           " to " + IntToV4(broadcast - 1).ToString();
  WarningAt(diags, src,
            "address " + p.ToString() + " is the " + (addr == network ? "network" : "broadcast") +
                " address of its subnet",
            hint);
}

struct Owner {
  const Node* node;
  const Interface* iface;
};

bool SameLink(const LabIndex& lab, const Owner& x, const Owner& y) {
  if (x.node == y.node && x.iface == y.iface) return true;
  for (const Endpoint* peer : SegmentNeighbours(lab, x.node->name, x.iface->name)) {
    if (peer->node == y.node->name && peer->interface == y.iface->name) return true;
  }
  return false;
}

// The addresses of `family` on `i` that can address a link, in file order.
std::vector<Prefix> LinkAddresses(const Interface& i, int family) {
  std::vector<Prefix> out;
  for (const Prefix& p : i.addresses) {
    if (p.family() == family && IsRoutable(p.addr)) out.push_back(p);
  }
  return out;
}

}  // namespace

void CheckLinks(const LabIndex& lab, DiagnosticList* diags) {
  const Topology& t = lab.topology();
  std::map<std::pair<std::string, std::string>, const Link*> used;  // (node, ifname) -> link
  // What misspelt endpoints most likely mean: not reported again as unconnected.
  std::set<std::pair<std::string, std::string>> meant;
  for (const Link& l : t.links) {
    for (const Endpoint* e : {&l.a, &l.b}) {
      const Node* n = lab.FindNode(e->node);
      if (!n) {
        ErrorAt(diags, e->src, "unknown node " + Quote(e->node) + DidYouMean(e->node, NodeNames(t)),
                "nodes are declared under 'nodes'");
        meant.emplace(ClosestMatch(e->node, NodeNames(t)), e->interface);
        continue;
      }
      if (e->interface == "lo") {
        ErrorAt(diags, e->src, "'lo' cannot be a link endpoint",
                "lo is the namespace's own loopback device; link another interface");
        continue;
      }
      if (!n->FindInterface(e->interface)) {
        ErrorAt(diags, e->src,
                "node " + Quote(n->name) + " has no interface " + Quote(e->interface) +
                    DidYouMean(e->interface, InterfaceNames(*n, /*with_lo=*/false)),
                "declare it under nodes." + n->name + ".interfaces");
        meant.emplace(n->name, ClosestMatch(e->interface, InterfaceNames(*n, false)));
        continue;
      }
      if (e == &l.b && l.a.node == l.b.node && l.a.interface == l.b.interface) {
        ErrorAt(diags, e->src, "link connects " + Quote(e->ToString()) + " to itself",
                "a link joins two different interfaces (they may be on the same node)");
        continue;
      }
      auto [it, inserted] = used.emplace(std::make_pair(e->node, e->interface), &l);
      if (!inserted) {
        ErrorAt(diags, e->src,
                "interface " + Quote(e->ToString()) + " is already used by the link at line " +
                    std::to_string(it->second->src.loc.line),
                "a link is a veth pair: each interface has one peer; declare another interface");
      }
    }
  }
  if (t.unbuilt_links > 0) return;  // which interfaces those links meant is unknown
  for (const Node& n : t.nodes) {
    for (const Interface& i : n.interfaces) {
      if (i.name == "lo" || i.is_vlan() || i.is_virtual() || i.kind_src.kind.loc.line != 0 ||
          used.count({n.name, i.name}) || meant.count({n.name, i.name})) {
        continue;
      }
      if (!InterfaceNameProblem(i.name).empty()) continue;  // reported; no link could name it
      ErrorAt(diags, i.src, "interface " + Quote(Qualified(n, i)) + " is not connected by any link",
              "add a link or remove it");
    }
  }
}

void CheckAddresses(const LabIndex& lab, DiagnosticList* diags) {
  std::map<IpAddress, std::vector<Owner>> owners;
  for (const Node& n : lab.topology().nodes) {
    for (const Interface& i : n.interfaces) {
      for (size_t k = 0; k < i.addresses.size() && k < i.address_sources.size(); ++k) {
        const Prefix& p = i.addresses[k];
        const Source& src = i.address_sources[k];
        if (IsUnspecified(p.addr)) {
          ErrorAt(diags, src,
                  "address " + p.ToString() +
                      " is the unspecified address, which cannot be assigned to an interface");
          continue;
        }
        if (IsMulticast(p.addr)) {
          ErrorAt(diags, src,
                  "address " + p.ToString() +
                      " is a multicast address, which cannot be assigned to an interface");
          continue;
        }
        if (IsLoopback(p.addr)) {
          // Loopback addresses are private to each namespace: no clash across nodes.
          if (i.name != "lo") {
            ErrorAt(diags, src,
                    "address " + p.ToString() + " is a loopback address, which belongs on 'lo'");
          }
          continue;
        }
        if (p.length == 0) {  // the kernel would take every address as on-link
          ErrorAt(diags, src,
                  "address " + p.ToString() + " has prefix length 0: its subnet is every address",
                  "write the length of the link's subnet, e.g. /24 (or /32 for a lone address)");
          continue;
        }
        CheckV4HostPart(p, src, diags);
        const Owner self{&n, &i};
        std::vector<Owner>& list = owners[p.addr];
        const Owner* clash = nullptr;
        for (const Owner& o : list) {
          // Link-local addresses only need to be unique on their link (fe80::1
          // on every interface of a router is common practice).
          if (!IsLinkLocal6(p.addr) || SameLink(lab, o, self)) {
            clash = &o;
            break;
          }
        }
        if (clash) {
          ErrorAt(diags, src,
                  "address " + p.addr.ToString() + " is already assigned to " +
                      Qualified(*clash->node, *clash->iface),
                  "each address may be assigned once in a lab");
        }
        list.push_back(self);
      }
    }
  }
}

void CheckLinkSubnets(const LabIndex& lab, DiagnosticList* diags) {
  for (const Link& l : lab.topology().links) {
    const Interface* a = lab.FindEndpoint(l.a);
    const Interface* b = lab.FindEndpoint(l.b);
    if (!a || !b || a == b || a->name == "lo" || b->name == "lo") continue;  // reported
    for (int family : {4, 6}) {
      const std::vector<Prefix> xa = LinkAddresses(*a, family), xb = LinkAddresses(*b, family);
      if (xa.empty() || xb.empty()) continue;
      bool common = false;
      for (const Prefix& x : xa) {
        for (const Prefix& y : xb) common = common || (x.Contains(y.addr) && y.Contains(x.addr));
      }
      if (common) continue;
      WarningAt(diags, l.src,
                "link " + l.a.ToString() + " <-> " + l.b.ToString() +
                    ": the ends have no subnet in common (" + xa[0].ToString() + " and " +
                    xb[0].ToString() + ")",
                "the two ends of a link normally have addresses in one subnet, so they can reach "
                "each other");
    }
  }
}

void CheckMtus(const LabIndex& lab, DiagnosticList* diags) {
  constexpr int kIpv6MinMtu = 1280;
  for (const Link& l : lab.topology().links) {
    if (!l.mtu || *l.mtu >= kIpv6MinMtu) continue;
    for (const Endpoint* e : {&l.a, &l.b}) {
      const Interface* i = lab.FindEndpoint(*e);
      bool has_v6 = false;
      for (const Prefix& p : i ? i->addresses : std::vector<Prefix>{}) has_v6 |= p.family() == 6;
      if (!has_v6) continue;
      WarningAt(diags, Prefer(l.mtu_src, l.src),
                "mtu " + std::to_string(*l.mtu) + " is below 1280, the minimum for IPv6, but " +
                    e->ToString() + " has an IPv6 address",
                "the kernel turns IPv6 off on an interface whose mtu is below 1280");
      break;
    }
  }
}

void CheckMacs(const LabIndex& lab, DiagnosticList* diags) {
  constexpr const char* kHint =
      "use a locally administered unicast address: first byte 02, e.g. 02:00:00:00:00:01";
  std::map<std::array<uint8_t, 6>, Owner> owners;
  for (const Node& n : lab.topology().nodes) {
    for (const Interface& i : n.interfaces) {
      if (!i.mac) continue;
      const Source& src = Prefer(i.mac_src, i.src);
      const std::string subject = "mac " + i.mac->ToString();
      if (i.mac->is_zero()) {
        ErrorAt(diags, src, subject + " is all zeros", kHint);
        continue;
      }
      if (i.mac->is_multicast()) {
        ErrorAt(diags, src, subject + " is a multicast address (its first byte is odd)", kHint);
        continue;
      }
      auto [it, inserted] = owners.emplace(i.mac->bytes, Owner{&n, &i});
      if (!inserted) {
        ErrorAt(diags, src,
                subject + " is already used by " + Qualified(*it->second.node, *it->second.iface),
                "every interface needs a mac of its own");
      }
    }
  }
}

}  // namespace topo::check_internal
