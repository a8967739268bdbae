#include "derive/neighbours.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

namespace topo {
namespace {

// The families an interface has addresses of: bit 0 IPv4, bit 1 IPv6.
unsigned Families(const Interface& i) {
  unsigned f = 0;
  for (const Prefix& p : i.addresses) f |= p.addr.family == 4 ? 1u : 2u;
  return f;
}

struct Segments {
  std::vector<size_t> parent;
  size_t Find(size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
};

}  // namespace

NeighbourCount EstimateNeighbours(const Topology& t) {
  // Nodes by position (for the segments), found by name through FindNode's index.
  auto at = [&](const Endpoint& e) {
    return static_cast<size_t>(t.FindNode(e.node) - t.nodes.data());
  };
  auto end_families = [&](const Endpoint& e) -> unsigned {
    const Node* node = t.FindNode(e.node);
    const Interface* i = node ? node->FindInterface(e.interface) : nullptr;
    return i ? Families(*i) : 0;
  };
  auto is_switch = [&](const Endpoint& e) {
    const Node* node = t.FindNode(e.node);
    return node && node->is_switch();
  };

  NeighbourCount n;
  auto add = [&n](unsigned families, size_t entries) {
    if (families & 1u) n.v4 += entries;
    if (families & 2u) n.v6 += entries;
  };
  // Switches joined by links are one segment; its members are the other ends.
  Segments seg{std::vector<size_t>(t.nodes.size())};
  std::iota(seg.parent.begin(), seg.parent.end(), size_t{0});
  for (const Link& l : t.links) {
    if (is_switch(l.a) && is_switch(l.b)) {
      seg.parent[seg.Find(at(l.a))] = seg.Find(at(l.b));
    }
  }
  std::vector<std::pair<size_t, size_t>> members(t.nodes.size());  // per segment root: v4, v6
  for (const Link& l : t.links) {
    const bool sa = is_switch(l.a), sb = is_switch(l.b);
    if (!sa && !sb) {
      add(end_families(l.a) & end_families(l.b), 2);
    } else if (sa != sb) {
      const Endpoint& member = sa ? l.b : l.a;
      const unsigned f = end_families(member);
      auto& m = members[seg.Find(at(sa ? l.a : l.b))];
      if (f & 1u) ++m.first;
      if (f & 2u) ++m.second;
    }
  }
  for (const auto& [v4, v6] : members) {
    if (v4 > 1) n.v4 += 2 * (v4 - 1);
    if (v6 > 1) n.v6 += 2 * (v6 - 1);
  }
  return n;
}

const char* NeighbourLimitSysctl(int family) {
  return family == 4 ? "net.ipv4.neigh.default.gc_thresh3" : "net.ipv6.neigh.default.gc_thresh3";
}

void WarnNeighbourLimits(const Topology& t, const NeighbourCount& host, DiagnosticList* diags) {
  const NeighbourCount need = EstimateNeighbours(t);
  for (int family : {4, 6}) {
    size_t limit = family == 4 ? host.v4 : host.v6;
    const size_t wanted = family == 4 ? need.v4 : need.v6;
    if (limit == 0 || wanted <= limit) continue;
    const std::string key = NeighbourLimitSysctl(family);
    for (const Node& node : t.nodes) {  // the lab raises it itself, from a root node
      if (!node.is_root()) continue;
      for (const Sysctl& s : node.sysctls) {
        if (s.key != key) continue;
        try {
          limit = std::max(limit, static_cast<size_t>(std::stoull(s.value)));
        } catch (const std::exception&) {  // not a number: the kernel will say so at `up`
        }
      }
    }
    if (wanted <= limit) continue;
    const std::string fam = family == 4 ? "IPv4" : "IPv6";
    const std::string thresh2 =
        family == 4 ? "net.ipv4.neigh.default.gc_thresh2" : "net.ipv6.neigh.default.gc_thresh2";
    const Source& at = t.name_src.loc.line > 0 ? t.name_src : t.src;
    diags->Warning(at.loc, at.pointer,
                   "the lab may need " + std::to_string(wanted) + " " + fam +
                       " neighbour entries, more than this machine holds (" + key + " = " +
                       std::to_string(limit) +
                       ", shared by every namespace); past it the kernel drops packets "
                       "(\"neighbor table overflow\")",
                   "raise it for the lab with a `kind: root` node's sysctls (" + thresh2 + " and " +
                       key + ", e.g. " + std::to_string(wanted * 2) +
                       "; restored at `down`), or on the host; see docs/PERFORMANCE.md");
  }
}

}  // namespace topo
