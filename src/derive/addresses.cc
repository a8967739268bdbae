#include "derive/addresses.h"

#include <algorithm>
#include <array>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "derive/subnets.h"

namespace topo {
namespace {

const char* FamilyName(int family) { return family == 4 ? "IPv4" : "IPv6"; }

std::string Quoted(const std::string& s) { return "'" + s + "'"; }

std::string NumberText(Uint128 n) {
  if (n > Uint128{1000000000000000000ULL}) return "more than 10^18";
  return std::to_string(static_cast<unsigned long long>(n));
}

std::string LineOf(const Source& s) { return "line " + std::to_string(s.loc.line); }

bool HasFamily(const Interface& i, int family) {
  return std::any_of(i.addresses.begin(), i.addresses.end(),
                     [&](const Prefix& p) { return p.family() == family; });
}

// The first address of `family` on `i` that names a subnet (not loopback or
// link-local), as its index, or -1.
int SubnetAddress(const Interface& i, int family) {
  for (size_t k = 0; k < i.addresses.size(); ++k) {
    const IpAddress& a = i.addresses[k].addr;
    if (a.family == family && !IsLoopback(a) && !IsLinkLocal6(a)) return static_cast<int>(k);
  }
  return -1;
}

// Checks one pool's entries; returns false when any is unusable.
bool CheckPool(const Pool& pool, DiagnosticList* diags) {
  bool ok = true;
  const std::string name = Quoted(PoolKindName(pool.kind));
  std::set<int> families;
  for (const PoolEntry& e : pool.entries) {
    const int f = e.prefix.family();
    const Source& at = e.length_given ? e.length_src : e.src;
    if (!families.insert(f).second) {
      diags->Error(e.src.loc, e.src.pointer,
                   "pool " + name + " has a second " + FamilyName(f) + " prefix",
                   "a pool has at most one prefix per family");
      ok = false;
      continue;
    }
    if (e.prefix.HostBitsSet()) {
      diags->Error(e.src.loc, e.src.pointer,
                   "pool prefix '" + e.prefix.ToString() + "' has host bits set",
                   "did you mean " + e.prefix.Network().ToString() + "?");
      ok = false;
      continue;
    }
    const int max = e.prefix.addr.max_prefix();
    std::string range;
    bool fits = true;
    switch (pool.kind) {
      case PoolKind::kLinks:
        fits = f == 4 ? e.length >= 30 && e.length <= 31 : e.length >= 64 && e.length <= 127;
        range = f == 4 ? "/30 or /31" : "/64 to /127";
        break;
      case PoolKind::kSegments:
        fits = e.length >= 1 && e.length <= max - 2;
        range = f == 4 ? "/1 to /30" : "/1 to /126";
        break;
      case PoolKind::kLoopbacks:
        fits = e.length == max;
        range = "/" + std::to_string(max);
        break;
    }
    if (!fits) {
      diags->Error(
          at.loc, at.pointer,
          "subnets of pool " + name + " are " + range + " in " + FamilyName(f) + ", not /" +
              std::to_string(e.length),
          pool.kind == PoolKind::kLoopbacks ? "leave 'length' out" : "write a length of " + range);
      ok = false;
    } else if (e.length < e.prefix.length) {
      diags->Error(at.loc, at.pointer,
                   "pool prefix '" + e.prefix.ToString() + "' is smaller than one /" +
                       std::to_string(e.length) + " subnet of pool " + name,
                   "write a larger prefix, or {prefix: " + e.prefix.ToString() +
                       ", length: N} with N at least " + std::to_string(e.prefix.length));
      ok = false;
    }
  }
  return ok;
}

// No two prefixes of the pools overlap (the error is at the later one).
bool CheckOverlaps(const Pools& pools, DiagnosticList* diags) {
  std::vector<std::pair<const Pool*, const PoolEntry*>> all;
  for (PoolKind k : {PoolKind::kLinks, PoolKind::kSegments, PoolKind::kLoopbacks}) {
    for (const PoolEntry& e : pools.Of(k).entries) all.emplace_back(&pools.Of(k), &e);
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& x, const auto& y) {
    const Location& a = x.second->src.loc;
    const Location& b = y.second->src.loc;
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  bool ok = true;
  for (size_t j = 0; j < all.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      const PoolEntry& a = *all[i].second;
      const PoolEntry& b = *all[j].second;
      if (!a.prefix.Network().Overlaps(b.prefix.Network())) continue;
      diags->Error(b.src.loc, b.src.pointer,
                   "pool " + Quoted(PoolKindName(all[j].first->kind)) + " prefix '" +
                       b.prefix.ToString() + "' overlaps pool " +
                       Quoted(PoolKindName(all[i].first->kind)) + " prefix '" +
                       a.prefix.ToString() + "' (" + LineOf(a.src) + ")",
                   "pools may not overlap: give each its own prefix");
      ok = false;
      break;
    }
  }
  return ok;
}

// The subnets of one pool entry, handed out lowest first, skipping those
// that overlap written addresses.
class Cursor {
 public:
  Cursor(const Pool& pool, const PoolEntry& entry, const RangeSet& written)
      : pool_(pool), entry_(entry), written_(written) {
    const int max = entry.prefix.addr.max_prefix();
    base_ = ToNumber(entry.prefix.Network().addr);
    step_ = PowerOfTwo(max - entry.length);
    count_ = PowerOfTwo(entry.length - entry.prefix.length);
  }

  std::optional<Prefix> Next() {
    ++needed_;
    while (next_ < count_) {
      const Uint128 first = base_ + next_ * step_;
      if (auto end = written_.Overlapping(first, first + (step_ - 1))) {
        const Uint128 after = std::min(count_, (*end - base_) / step_ + 1);
        skipped_ += after - next_;
        next_ = after;
        continue;
      }
      ++next_;
      return Prefix{FromNumber(first, entry_.prefix.family()), entry_.length};
    }
    ran_out_ = true;
    return std::nullopt;
  }

  // A located error when Next ran out.
  void Report(DiagnosticList* diags) const {
    if (!ran_out_) return;
    const int f = entry_.prefix.family();
    std::string message = "pool " + Quoted(PoolKindName(pool_.kind)) + " has too few " +
                          FamilyName(f) + " subnets: " + NumberText(needed_) + " /" +
                          std::to_string(entry_.length) + " needed, '" + entry_.prefix.ToString() +
                          "' has " + NumberText(count_ - skipped_);
    if (skipped_ > 0) {
      message += " (" + NumberText(skipped_) + " more overlap written addresses)";
    }
    diags->Error(entry_.src.loc, entry_.src.pointer, message,
                 "write a larger prefix" +
                     std::string(pool_.kind == PoolKind::kLoopbacks ? "" : " or a longer length"));
  }

 private:
  const Pool& pool_;
  const PoolEntry& entry_;
  const RangeSet& written_;
  Uint128 base_ = 0, step_ = 0, count_ = 0, next_ = 0, needed_ = 0, skipped_ = 0;
  bool ran_out_ = false;
};

// One end of a link, resolved: nullptr members when it is not addressable
// (unknown node or interface, a switch).
struct End {
  Node* node = nullptr;
  Interface* iface = nullptr;
  const Endpoint* endpoint = nullptr;
};

class Assigner {
 public:
  Assigner(Topology* t, DiagnosticList* diags) : t_(*t), diags_(diags) {
    interfaces_.resize(t_.nodes.size());
    for (size_t n = 0; n < t_.nodes.size(); ++n) {
      nodes_.emplace(t_.nodes[n].name, n);
      for (size_t i = 0; i < t_.nodes[n].interfaces.size(); ++i) {
        interfaces_[n].emplace(t_.nodes[n].interfaces[i].name, i);
      }
    }
  }

  void Run() {
    ImplyInterfaces();
    bool ok = true;
    for (PoolKind k : {PoolKind::kLinks, PoolKind::kSegments, PoolKind::kLoopbacks}) {
      ok = CheckPool(t_.pools.Of(k), diags_) && ok;
    }
    ok = CheckOverlaps(t_.pools, diags_) && ok;
    if (!ok) return;
    CollectWritten();
    for (PoolKind k : {PoolKind::kLinks, PoolKind::kSegments, PoolKind::kLoopbacks}) {
      for (const PoolEntry& e : t_.pools.Of(k).entries) {
        const int f = e.prefix.family();
        cursors_[Index(k, f)].emplace_back(t_.pools.Of(k), e, f == 4 ? written4_ : written6_);
      }
    }
    PointToPoint();
    Segments();
    Loopbacks();
    for (auto& list : cursors_) {
      for (const Cursor& c : list) c.Report(diags_);
    }
  }

 private:
  static size_t Index(PoolKind k, int family) {
    return static_cast<size_t>(k) * 2 + (family == 4 ? 0 : 1);
  }

  Cursor* CursorOf(PoolKind k, int family) {
    auto& list = cursors_[Index(k, family)];
    return list.empty() ? nullptr : &list.front();
  }

  // Lookups by name in maps: a star of 10000 hosts has a node of 10000
  // interfaces, too many to search for each link.
  Node* NodeNamed(const std::string& name) {
    auto it = nodes_.find(name);
    return it == nodes_.end() ? nullptr : &t_.nodes[it->second];
  }
  Interface* InterfaceNamed(Node* n, const std::string& name) {
    const auto& index = interfaces_[static_cast<size_t>(n - t_.nodes.data())];
    auto it = index.find(name);
    return it == index.end() ? nullptr : &n->interfaces[it->second];
  }
  void AddInterface(Node* n, Interface i) {
    interfaces_[static_cast<size_t>(n - t_.nodes.data())].emplace(i.name, n->interfaces.size());
    n->interfaces.push_back(std::move(i));
  }

  // Links imply the interfaces of hosts, routers and root nodes they name.
  void ImplyInterfaces() {
    for (const Link& l : t_.links) {
      for (const Endpoint* e : {&l.a, &l.b}) {
        Node* n = NodeNamed(e->node);
        if (!n || n->is_switch() || e->interface == "lo" || InterfaceNamed(n, e->interface)) {
          continue;
        }
        Interface i;
        i.name = e->interface;
        i.src = e->src;
        i.implied = true;
        i.mtu = l.mtu;
        AddInterface(n, std::move(i));
      }
    }
  }

  void CollectWritten() {
    for (const Node& n : t_.nodes) {
      for (const Interface& i : n.interfaces) {
        for (const Prefix& p : i.addresses) {
          (p.family() == 4 ? written4_ : written6_).Add(p);
          used_.insert(p.addr);
        }
      }
    }
    written4_.Finish();
    written6_.Finish();
  }

  End Resolve(const Endpoint& e) {
    End end;
    end.endpoint = &e;
    Node* n = NodeNamed(e.node);
    if (!n || n->is_switch()) return end;
    Interface* i = InterfaceNamed(n, e.interface);
    if (!i || i->is_vlan()) return end;
    end.node = n;
    end.iface = i;
    return end;
  }

  static bool Wants(const End& e, int family) {
    return e.iface && e.iface->auto_addressing && !HasFamily(*e.iface, family);
  }

  void Give(Interface* i, const Prefix& a, const Source& src) {
    i->addresses.push_back(a);
    i->address_sources.push_back(src);
    ++i->auto_addresses;
    used_.insert(a.addr);
  }

  // The next address of the written subnet of `owner`'s address `k` that no
  // interface has, or a located error naming `for_end`.
  std::optional<Prefix> NextFree(const End& owner, int k, const End& for_end) {
    const Prefix& written = owner.iface->addresses[static_cast<size_t>(k)];
    Prefix net = written.Network();
    Uint128& cursor = free_cursor_[net];
    while (auto a = UsableAddress(net, cursor)) {
      ++cursor;
      if (!used_.count(a->addr)) return a;
    }
    const Source& src = owner.iface->address_sources[static_cast<size_t>(k)];
    diags_->Error(
        src.loc, src.pointer,
        "no free address left in " + net.ToString() + " for '" + for_end.endpoint->ToString() + "'",
        "it is the subnet of the address written on '" + owner.endpoint->ToString() + "': write " +
            for_end.endpoint->ToString() + "'s address, or a larger subnet");
    return std::nullopt;
  }

  // Gives each wanting end of `ends` an address of `family`: from the first
  // written subnet among them, else the k-th usable address of a new subnet
  // of pool `kind` (checked to hold them all).
  void AssignGroup(const std::vector<End>& ends, int family, PoolKind kind,
                   const std::string& what) {
    if (std::none_of(ends.begin(), ends.end(), [&](const End& e) { return Wants(e, family); })) {
      return;
    }
    for (const End& owner : ends) {
      if (!owner.iface) continue;
      const int k = SubnetAddress(*owner.iface, family);
      if (k < 0) continue;
      for (const End& e : ends) {
        if (!Wants(e, family)) continue;
        if (auto a = NextFree(owner, k, e)) Give(e.iface, *a, owner.iface->address_sources[k]);
      }
      return;
    }
    Cursor* cursor = CursorOf(kind, family);
    if (!cursor) return;
    const PoolEntry& entry = *t_.pools.Of(kind).Entry(family);
    const Uint128 room = UsableCount(Prefix{entry.prefix.addr, entry.length});
    if (ends.size() > room) {
      diags_->Error(entry.src.loc, entry.src.pointer,
                    what + " has " + std::to_string(ends.size()) + " members, more than a /" +
                        std::to_string(entry.length) + " of pool " + Quoted(PoolKindName(kind)) +
                        " holds (" + NumberText(room) + ")",
                    "write {prefix: " + entry.prefix.ToString() + ", length: N} with a smaller N");
      return;
    }
    const std::optional<Prefix> subnet = cursor->Next();
    if (!subnet) return;
    for (size_t k = 0; k < ends.size(); ++k) {
      if (Wants(ends[k], family)) Give(ends[k].iface, *UsableAddress(*subnet, k), entry.src);
    }
  }

  void PointToPoint() {
    for (const Link& l : t_.links) {
      const Node* a = NodeNamed(l.a.node);
      const Node* b = NodeNamed(l.b.node);
      if (!a || !b || a->is_switch() || b->is_switch()) continue;
      const std::vector<End> ends = {Resolve(l.a), Resolve(l.b)};
      for (int f : {4, 6}) AssignGroup(ends, f, PoolKind::kLinks, "link");
    }
  }

  void Segments() {
    std::map<std::string, size_t> index;  // switch name -> position in node order
    for (size_t k = 0; k < t_.nodes.size(); ++k) {
      if (t_.nodes[k].is_switch()) index.emplace(t_.nodes[k].name, k);
    }
    if (index.empty()) return;
    std::vector<size_t> parent(t_.nodes.size());
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](size_t x) {
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    auto switch_of = [&](const Endpoint& e) -> std::optional<size_t> {
      auto it = index.find(e.node);
      if (it == index.end()) return std::nullopt;
      return it->second;
    };
    for (const Link& l : t_.links) {
      auto a = switch_of(l.a), b = switch_of(l.b);
      if (a && b) {
        const size_t ra = find(*a), rb = find(*b);
        parent[std::max(ra, rb)] = std::min(ra, rb);  // the root is the first switch
      }
    }
    std::map<size_t, std::vector<End>> segments;  // by first switch, so in node order
    for (const Link& l : t_.links) {
      auto a = switch_of(l.a), b = switch_of(l.b);
      if (a.has_value() == b.has_value()) continue;
      const Endpoint& port = a ? l.a : l.b;
      End member = Resolve(a ? l.b : l.a);
      const Interface* p = InterfaceNamed(&t_.nodes[a ? *a : *b], port.interface);
      if (p && (p->access_given || p->trunk_given) && member.iface) {
        WarnVlanPort(member, port);
        member.iface = nullptr;  // keeps its place
      }
      segments[find(a ? *a : *b)].push_back(member);
    }
    for (const auto& [first, members] : segments) {
      const std::string what = "the segment of switch '" + t_.nodes[first].name + "'";
      for (int f : {4, 6}) AssignGroup(members, f, PoolKind::kSegments, what);
    }
  }

  void WarnVlanPort(const End& member, const Endpoint& port) {
    bool would = false;
    for (int f : {4, 6}) would = would || (CursorOf(PoolKind::kSegments, f) && Wants(member, f));
    if (!would) return;
    diags_->Warning(member.endpoint->src.loc, member.endpoint->src.pointer,
                    "'" + member.endpoint->ToString() + "' gets no automatic address: '" +
                        port.ToString() + "' is a VLAN port",
                    "write its addresses (on a VLAN sub-interface for a trunk), or set auto: "
                    "false");
  }

  void Loopbacks() {
    for (Node& n : t_.nodes) {
      if (!n.forwards()) continue;
      for (int f : {4, 6}) {
        Cursor* cursor = CursorOf(PoolKind::kLoopbacks, f);
        if (!cursor) continue;
        Interface* lo = InterfaceNamed(&n, "lo");
        if (lo && (!lo->auto_addressing || SubnetAddress(*lo, f) >= 0)) continue;
        const std::optional<Prefix> a = cursor->Next();
        if (!a) continue;
        if (!lo) {
          Interface i;
          i.name = "lo";
          i.src = n.src;
          i.implied = true;
          AddInterface(&n, std::move(i));
          lo = &n.interfaces.back();
        }
        Give(lo, *a, t_.pools.loopbacks.Entry(f)->src);
      }
    }
  }

  Topology& t_;
  DiagnosticList* diags_;
  std::unordered_map<std::string, size_t> nodes_;                    // name -> index
  std::vector<std::unordered_map<std::string, size_t>> interfaces_;  // by node: name -> index
  RangeSet written4_, written6_;
  std::set<IpAddress> used_;
  std::map<Prefix, Uint128> free_cursor_;
  std::array<std::vector<Cursor>, 6> cursors_;
};

}  // namespace

void AssignAddresses(Topology* t, DiagnosticList* diags) {
  if (!t->pools.given) return;
  Assigner(t, diags).Run();
}

}  // namespace topo
