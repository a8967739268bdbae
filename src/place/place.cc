#include "place/place.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <set>
#include <unordered_map>

namespace topo {
namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

// The machine each node is placed on explicitly (by its `machine:` or by
// exactly one machine's rule), kNone for the rest.
std::vector<size_t> ExplicitPlacement(Topology* t) {
  std::vector<size_t> on(t->nodes.size(), kNone);
  for (size_t k = 0; k < t->nodes.size(); ++k) {
    Node& n = t->nodes[k];
    if (!n.machine.empty()) {
      for (size_t m = 0; m < t->machines.size(); ++m) {
        if (t->machines[m].name == n.machine) on[k] = m;
      }
      if (on[k] != kNone) n.placed_by = PlacedBy::kNode;
      continue;
    }
    const std::vector<RuleMatch> rules = MatchingRules(*t, n.name);
    if (rules.size() == 1) {
      on[k] = rules[0].machine;
      n.placed_by = PlacedBy::kRule;
    }
  }
  return on;
}

// Whether the node is left to automatic placement: nothing places it, and
// nothing that the rules report is wrong with how it is placed.
bool Automatic(const Topology& t, const Node& n) {
  return n.machine.empty() && !n.is_root() && MatchingRules(t, n.name).empty();
}

// The nodes in breadth-first order over the links, each component from its
// first node in file order.
std::vector<size_t> BreadthFirst(const Topology& t,
                                 const std::vector<std::vector<size_t>>& neighbours) {
  std::vector<size_t> order;
  std::vector<bool> seen(t.nodes.size(), false);
  for (size_t start = 0; start < t.nodes.size(); ++start) {
    if (seen[start]) continue;
    std::deque<size_t> queue{start};
    seen[start] = true;
    while (!queue.empty()) {
      const size_t k = queue.front();
      queue.pop_front();
      order.push_back(k);
      for (size_t next : neighbours[k]) {
        if (!seen[next]) {
          seen[next] = true;
          queue.push_back(next);
        }
      }
    }
  }
  return order;
}

void PlaceAutomatically(Topology* t, std::vector<size_t>* on) {
  std::unordered_map<std::string, size_t> index;
  for (size_t k = 0; k < t->nodes.size(); ++k) index.emplace(t->nodes[k].name, k);
  std::vector<std::vector<size_t>> neighbours(t->nodes.size());
  for (const Link& l : t->links) {
    auto a = index.find(l.a.node), b = index.find(l.b.node);
    if (a == index.end() || b == index.end() || a->second == b->second) continue;
    neighbours[a->second].push_back(b->second);
    neighbours[b->second].push_back(a->second);
  }
  size_t automatic = 0;
  for (const Node& n : t->nodes) automatic += Automatic(*t, n) ? 1 : 0;
  const size_t machines = t->machines.size();
  const size_t most = (automatic + machines - 1) / machines;
  std::vector<size_t> placed(machines, 0);
  for (size_t k : BreadthFirst(*t, neighbours)) {
    Node& n = t->nodes[k];
    if (!Automatic(*t, n)) continue;
    std::vector<size_t> links_to(machines, 0);
    for (size_t other : neighbours[k]) {
      if ((*on)[other] != kNone) ++links_to[(*on)[other]];
    }
    size_t best = kNone;
    for (size_t m = 0; m < machines; ++m) {
      if (placed[m] >= most) continue;
      if (best == kNone || links_to[m] > links_to[best] ||
          (links_to[m] == links_to[best] && placed[m] < placed[best])) {
        best = m;
      }
    }
    (*on)[k] = best;
    ++placed[best];
    n.placed_by = PlacedBy::kAuto;
  }
}

void AssignVnis(Topology* t) {
  std::set<int> taken;
  std::vector<Link*> derived;
  for (Link& l : t->links) {
    l.vni = 0;
    const Node* a = t->FindNode(l.a.node);
    const Node* b = t->FindNode(l.b.node);
    if (!a || !b || a->placement.empty() || b->placement.empty() || a->placement == b->placement) {
      continue;
    }
    if (l.vni_written && *l.vni_written >= kMinVni && *l.vni_written <= kMaxVni) {
      l.vni = *l.vni_written;
      taken.insert(l.vni);
    } else {
      derived.push_back(&l);
    }
  }
  // Derived after written, so that a written VNI keeps its value.
  const std::string lab = t->LabName();
  for (Link* l : derived) {
    int vni = DerivedVni(lab, *l);
    while (taken.count(vni)) vni = vni % kMaxVni + 1;
    l->vni = vni;
    taken.insert(vni);
  }
}

// The ends of links between machines take the inner MTU unless the link gives one.
void SetInnerMtus(Topology* t) {
  for (const Link& l : t->links) {
    if (!l.crosses_machines() || l.mtu) continue;
    const Machine* ma = t->FindMachine(t->FindNode(l.a.node)->placement);
    const Machine* mb = t->FindMachine(t->FindNode(l.b.node)->placement);
    const int mtu = InnerMtu(*ma, *mb);
    for (const Endpoint* e : {&l.a, &l.b}) {
      if (Interface* i = t->FindNode(e->node)->FindInterface(e->interface)) i->mtu = mtu;
    }
  }
}

}  // namespace

bool RuleMatches(const std::string& rule, const std::string& node) {
  return fnmatch(rule.c_str(), node.c_str(), 0) == 0;
}

std::vector<RuleMatch> MatchingRules(const Topology& t, const std::string& node) {
  std::vector<RuleMatch> out;
  for (size_t m = 0; m < t.machines.size(); ++m) {
    const std::vector<std::string>& rules = t.machines[m].nodes;
    for (size_t r = 0; r < rules.size(); ++r) {
      if (RuleMatches(rules[r], node)) {
        out.push_back({m, r});
        break;
      }
    }
  }
  return out;
}

int DerivedVni(const std::string& lab, const Link& l) {
  // FNV-1a over "LAB\0NODE:IF\0NODE:IF", folded to 24 bits.
  uint32_t h = 2166136261u;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    h *= 16777619u;  // a NUL between the parts
  };
  mix(lab);
  mix(l.a.ToString());
  mix(l.b.ToString());
  const int vni = static_cast<int>((h ^ (h >> 24)) & 0xffffffu);
  return vni == 0 ? kMinVni : vni;
}

int InnerMtu(const Machine& a, const Machine& b) {
  const int family = a.address ? a.address->family : 4;
  return std::min(a.mtu, b.mtu) - VxlanOverhead(family);
}

void Place(Topology* t) {
  if (t->machines.empty()) {
    for (Link& l : t->links) l.vni = 0;
    return;
  }
  std::vector<size_t> on = ExplicitPlacement(t);
  PlaceAutomatically(t, &on);
  for (size_t k = 0; k < t->nodes.size(); ++k) {
    t->nodes[k].placement = on[k] == kNone ? "" : t->machines[on[k]].name;
  }
  AssignVnis(t);
  SetInnerMtus(t);
}

}  // namespace topo
