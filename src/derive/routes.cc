#include "derive/routes.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "derive/subnets.h"

namespace topo {
namespace {

const char* FamilyName(int family) { return family == 4 ? "IPv4" : "IPv6"; }

// An address of a node on a subnet: indices into Topology::nodes, the
// node's interfaces and the interface's addresses.
struct Member {
  size_t node = 0, iface = 0, addr = 0;
  bool Before(const Member& o) const {
    return std::tie(node, iface, addr) < std::tie(o.node, o.iface, o.addr);
  }
};

struct Subnet {
  Prefix net;
  std::vector<Member> members;  // in node, interface, address order
  std::vector<size_t> routers;  // the members that are routers (indices into members)
};

// A router's way to an adjacent router: the subnet they share, and where.
struct Edge {
  size_t to = 0;  // router index
  size_t subnet = 0;
  Member self, other;  // the router's own address there, and the neighbour's
};

// A route being aggregated: the destination as a number and a length, and
// the next hop (an address of a neighbour: a Member, packed), or kOwn for one
// of the router's own subnets, which is never merged nor routed.
struct Hop {
  Uint128 num = 0;
  int length = 0;
  uint64_t via = 0;
};
constexpr uint64_t kOwn = ~uint64_t{0};

// (Nodes below 2^24, interfaces and addresses of one below 2^20: the load limits are far lower.)
uint64_t Pack(const Member& m) { return (uint64_t{m.node} << 40) | (m.iface << 20) | m.addr; }
Member Unpack(uint64_t v) { return Member{v >> 40, (v >> 20) & 0xfffff, v & 0xfffff}; }

// Appends `h` to `routes`, which hold one router's routes in ascending
// (address, length) order, merging siblings: two halves of a prefix with the
// same next hop become the prefix, which covers exactly the same addresses.
// Not when the prefix itself is a destination or one of the router's own
// subnets (it is then right below them: nothing sorts between a prefix and
// its lower half but more specific prefixes of that half, which would sit
// between the halves). `width`: 32 or 128.
void PushMerged(std::vector<Hop>* routes, const Hop& h, int width) {
  routes->push_back(h);
  while (routes->size() >= 2) {
    const size_t n = routes->size();
    Hop& lo = (*routes)[n - 2];
    const Hop& hi = (*routes)[n - 1];
    if (lo.via != hi.via || hi.via == kOwn || lo.length != hi.length || lo.length == 0) return;
    const Uint128 bit = PowerOfTwo(width - lo.length);
    if ((lo.num & bit) != 0 || hi.num != lo.num + bit) return;  // not the two halves of a prefix
    if (n >= 3 && (*routes)[n - 3].length == lo.length - 1 && (*routes)[n - 3].num == lo.num) {
      return;  // the prefix is there already
    }
    lo.length -= 1;
    routes->pop_back();
  }
}

// What one BFS from a set of routers gives: each router's distance (-1:
// unreachable) and, beyond the first hop, the edge toward it.
struct Tree {
  int level = 0;  // the seeds' distance: 0, or 1 when hosts are the last hop
  std::vector<int> dist;
  std::vector<const Edge*> next;
};

class Family {
 public:
  Family(Topology* t, int family) : t_(*t), family_(family) {}

  void Run(DiagnosticList* diags) {
    Collect();
    std::vector<size_t> routing;  // the routers (indices) that get routes of this family
    for (size_t n = 0; n < t_.nodes.size(); ++n) {
      const Node& node = t_.nodes[n];
      if (!HasAutoRoutes(t_, node) || by_node_[n].empty()) continue;
      if (!node.forwards()) {
        HostRoute(n);
      } else if (Active(n)) {
        routing.push_back(static_cast<size_t>(router_of_[n]));
      }
    }
    if (!routing.empty()) RouterRoutes(routing, diags);
  }

 private:
  const Interface& IfaceOf(const Member& m) const { return t_.nodes[m.node].interfaces[m.iface]; }
  const IpAddress& AddressOf(const Member& m) const { return IfaceOf(m).addresses[m.addr].addr; }

  void Collect() {
    std::map<Prefix, size_t> index;
    by_node_.resize(t_.nodes.size());
    router_of_.assign(t_.nodes.size(), -1);
    for (size_t n = 0; n < t_.nodes.size(); ++n) {
      const Node& node = t_.nodes[n];
      if (node.is_switch()) continue;
      if (node.forwards()) {
        router_of_[n] = static_cast<int>(routers_.size());
        routers_.push_back(n);
      }
      for (size_t i = 0; i < node.interfaces.size(); ++i) {
        const Interface& iface = node.interfaces[i];
        for (size_t k = 0; k < iface.addresses.size(); ++k) {
          const Prefix& p = iface.addresses[k];
          if (p.family() != family_ || p.length == 0 || IsLoopback(p.addr) ||
              IsLinkLocal6(p.addr)) {
            continue;
          }
          const Prefix net = p.Network();
          auto [it, added] = index.emplace(net, subnets_.size());
          if (added) subnets_.push_back(Subnet{net, {}, {}});
          Subnet& s = subnets_[it->second];
          if (node.forwards()) s.routers.push_back(s.members.size());
          s.members.push_back(Member{n, i, k});
          by_node_[n].emplace_back(it->second, s.members.size() - 1);
        }
      }
    }
    edges_.resize(routers_.size());
    for (size_t r = 0; r < routers_.size(); ++r) {
      for (const auto& [s, self] : by_node_[routers_[r]]) {
        const Subnet& sub = subnets_[s];
        for (size_t m : sub.routers) {
          const Member& other = sub.members[m];
          if (other.node == routers_[r]) continue;
          edges_[r].push_back(
              Edge{static_cast<size_t>(router_of_[other.node]), s, sub.members[self], other});
        }
      }
      // Ties: the neighbour first in node order, then this router's first interface.
      std::stable_sort(edges_[r].begin(), edges_[r].end(),
                       [](const Edge& a, const Edge& b) { return a.other.node < b.other.node; });
    }
  }

  // The routers a destination is reached from, and at which distance: its
  // own routers (0), or, on a subnet without one, the routers adjacent to
  // its hosts (1: the host is the last hop).
  std::pair<int, std::vector<size_t>> Seeds(const Subnet& s) const {
    std::vector<size_t> seeds;
    if (!s.routers.empty()) {
      for (size_t m : s.routers)
        seeds.push_back(static_cast<size_t>(router_of_[s.members[m].node]));
      std::sort(seeds.begin(), seeds.end());
      seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
      return {0, seeds};
    }
    for (const Member& owner : s.members) {
      for (const auto& [s2, unused] : by_node_[owner.node]) {
        for (size_t m : subnets_[s2].routers) {
          seeds.push_back(static_cast<size_t>(router_of_[subnets_[s2].members[m].node]));
        }
      }
    }
    std::sort(seeds.begin(), seeds.end());
    seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
    return {1, seeds};
  }

  // The BFS tree of `seeds` into *tree (its buffers reused: one tree at a time).
  void Grow(const std::pair<int, std::vector<size_t>>& seeds, Tree* tree) {
    tree->level = seeds.first;
    tree->dist.assign(routers_.size(), -1);
    tree->next.assign(routers_.size(), nullptr);
    std::vector<size_t>& queue = queue_;
    queue.clear();
    for (size_t r : seeds.second) {
      tree->dist[r] = seeds.first;
      queue.push_back(r);
    }
    for (size_t head = 0; head < queue.size(); ++head) {
      const size_t r = queue[head];
      for (const Edge& e : edges_[r]) {
        if (tree->dist[e.to] >= 0) continue;
        tree->dist[e.to] = tree->dist[r] + 1;
        queue.push_back(e.to);
      }
    }
    for (size_t r = 0; r < routers_.size(); ++r) {
      if (tree->dist[r] <= tree->level) continue;
      for (const Edge& e : edges_[r]) {
        if (tree->dist[e.to] == tree->dist[r] - 1) {
          tree->next[r] = &e;
          break;
        }
      }
    }
  }

  Route MakeRoute(const std::optional<Prefix>& to, const IpAddress& via, const Source& src) const {
    Route r;
    r.to = to;
    r.family = family_;
    r.via = via;
    r.src = src;  // (to_src and via_src stay empty: the routes are checked by construction)
    r.automatic = true;
    return r;
  }

  const Source& AutoSource(const Node& n) const {
    return n.routes_auto ? n.routes_src : t_.routes_auto_src;
  }

  // A router seeded at distance 1 toward host-only subnet `s`: its next hop
  // is the adjacent owner first in node order (then its own first interface).
  std::optional<Member> LastHop(size_t node, const Subnet& s) const {
    std::optional<std::pair<Member, Member>> best;  // (the owner's address, the router's)
    for (const Member& owner : s.members) {
      for (const auto& [s2, owner_member] : by_node_[owner.node]) {
        const Subnet& shared = subnets_[s2];
        for (size_t m : shared.routers) {
          const Member& self = shared.members[m];
          if (self.node != node) continue;
          const Member& there = shared.members[owner_member];
          if (!best || there.node < best->first.node ||
              (there.node == best->first.node && self.Before(best->second))) {
            best = std::make_pair(there, self);
          }
        }
      }
    }
    if (!best) return std::nullopt;
    return best->first;
  }

  // Whether router `n` has an address of this family outside lo (else it
  // gets no routes of it).
  bool Active(size_t n) const {
    return std::any_of(by_node_[n].begin(), by_node_[n].end(), [&](const auto& x) {
      return t_.nodes[n].interfaces[subnets_[x.first].members[x.second].iface].name != "lo";
    });
  }

  // The routes of every router in `routing`: destinations in address order,
  // one BFS per run of destinations with the same seeds (kept only while it
  // lasts: memory linear in the lab), each router's routes merged as they
  // come (PushMerged), so a chain or a leaf-spine fabric gets O(log N) routes
  // per router rather than one per subnet.
  void RouterRoutes(const std::vector<size_t>& routing, DiagnosticList* diags) {
    std::vector<size_t> order(subnets_.size());
    for (size_t s = 0; s < order.size(); ++s) order[s] = s;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return subnets_[a].net < subnets_[b].net; });
    std::vector<std::vector<Hop>> routes(routers_.size());
    std::vector<size_t> unreachable(routers_.size(), 0);
    std::vector<const Subnet*> first_unreachable(routers_.size(), nullptr);
    std::vector<char> on_subnet(routers_.size(), 0);
    std::pair<int, std::vector<size_t>> seeds_of_tree{-1, {}};
    Tree tree;
    const int width = family_ == 4 ? 32 : 128;
    for (size_t s : order) {
      const Subnet& sub = subnets_[s];
      auto seeds = Seeds(sub);
      if (seeds != seeds_of_tree) {
        Grow(seeds, &tree);
        seeds_of_tree = std::move(seeds);
      }
      for (size_t m : sub.routers) on_subnet[RouterOf(sub.members[m])] = 1;
      const Uint128 num = ToNumber(sub.net.addr);
      for (size_t r : routing) {
        std::optional<Member> via;
        if (on_subnet[r]) {
          PushMerged(&routes[r], Hop{num, sub.net.length, kOwn}, width);
          continue;
        }
        if (tree.level == 1 && tree.dist[r] == 1) {
          via = LastHop(routers_[r], sub);
        } else if (tree.next[r]) {
          via = tree.next[r]->other;
        }
        if (via) {
          PushMerged(&routes[r], Hop{num, sub.net.length, Pack(*via)}, width);
        } else if (unreachable[r]++ == 0) {
          first_unreachable[r] = &sub;
        }
      }
      for (size_t m : sub.routers) on_subnet[RouterOf(sub.members[m])] = 0;
    }
    for (size_t r : routing) {
      Node& node = t_.nodes[routers_[r]];
      node.routes.reserve(node.routes.size() + routes[r].size());
      for (const Hop& h : routes[r]) {
        if (h.via == kOwn) continue;
        const Prefix to{FromNumber(h.num, family_), h.length};
        node.routes.push_back(MakeRoute(to, AddressOf(Unpack(h.via)), AutoSource(node)));
      }
      std::vector<Hop>().swap(routes[r]);
      if (first_unreachable[r]) {
        ReportUnreachable(node, *first_unreachable[r], unreachable[r], diags);
      }
    }
  }

  size_t RouterOf(const Member& m) const { return static_cast<size_t>(router_of_[m.node]); }

  void ReportUnreachable(const Node& node, const Subnet& first, size_t unreachable,
                         DiagnosticList* diags) const {
    const Member& owner = first.members.front();
    const Source& at = AutoSource(node);
    std::string more;
    if (unreachable > 1) more = " (and " + Counted(unreachable - 1, "more destination") + ")";
    diags->Error(at.loc, at.pointer,
                 "router '" + node.name + "' has no path to " + first.net.ToString() + " (of '" +
                     t_.nodes[owner.node].name + ":" + IfaceOf(owner).name + "') in " +
                     FamilyName(family_) + more,
                 "the lab is in parts that no link joins: link them, or write the routes of '" +
                     node.name + "'");
  }

  void HostRoute(size_t n) {
    std::optional<std::pair<Member, Member>> best;  // (the router's address, the host's)
    for (const auto& [s, self_member] : by_node_[n]) {
      const Subnet& sub = subnets_[s];
      for (size_t m : sub.routers) {
        const Member& router = sub.members[m];
        const Member& self = sub.members[self_member];
        if (!best || router.node < best->first.node ||
            (router.node == best->first.node && self.Before(best->second))) {
          best = std::make_pair(router, self);
        }
      }
    }
    if (!best) return;  // no adjacent router: a flat LAN needs no route
    Node& node = t_.nodes[n];
    node.routes.push_back(MakeRoute(std::nullopt, AddressOf(best->first), AutoSource(node)));
  }

  Topology& t_;
  const int family_;
  std::vector<Subnet> subnets_;
  std::vector<std::vector<std::pair<size_t, size_t>>> by_node_;  // (subnet, member) in order
  std::vector<int> router_of_;                                   // node -> router index or -1
  std::vector<size_t> routers_;                                  // router index -> node
  std::vector<std::vector<Edge>> edges_;                         // by router index
  std::vector<size_t> queue_;                                    // Grow's
};

}  // namespace

bool HasAutoRoutes(const Topology& t, const Node& n) {
  if (n.is_switch() || n.is_root()) return false;
  return n.routes_auto || (t.routes_auto && !n.routes_given);
}

void CheckAutoRoutes(const Topology& t, DiagnosticList* diags) {
  for (const Node& n : t.nodes) {
    if (!n.routes_auto || !(n.is_switch() || n.is_root())) continue;
    diags->Error(n.routes_src.loc, n.routes_src.pointer,
                 "'" + n.name + "' is " + (n.is_root() ? "the root node" : "a switch") +
                     " and cannot have routes: auto",
                 n.is_root() ? "topo never computes the host's own routes: write them, if any"
                             : "a switch has no routes: give them to the hosts and routers on it");
  }
}

void ComputeRoutes(Topology* t, DiagnosticList* diags) {
  const bool any = t->routes_auto || std::any_of(t->nodes.begin(), t->nodes.end(),
                                                 [](const Node& n) { return n.routes_auto; });
  if (!any) return;
  for (int f : {4, 6}) Family(t, f).Run(diags);
}

}  // namespace topo
