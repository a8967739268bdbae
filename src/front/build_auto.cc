// The keys of automatic addressing and routes (model/pools.h): the top-level
// `pools` and `routes: auto`, a node's `routes: auto`, an interface's `auto`.
// Tolerant like the rest of Build: what the schema rejects is skipped quietly;
// a prefix that does not parse is reported here, at the value.
#include "front/build.h"

#include <unordered_set>

namespace topo {
namespace {

bool IsMap(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }

void BuildPoolEntry(const YAML::Node& n, const std::string& ptr, Pool* pool,
                    DiagnosticList* diags) {
  // (yaml-cpp: assigning to a YAML::Node changes the node it refers to, so
  // each is bound once.)
  const bool long_form = IsMap(n);
  const YAML::Node prefix = long_form ? n["prefix"] : n;
  const YAML::Node length = long_form ? n["length"] : YAML::Node();
  const std::string prefix_ptr = long_form ? ptr + "/prefix" : ptr;
  if (!IsScalar(prefix)) return;
  std::string err;
  auto p = ParsePrefix(prefix.Scalar(), &err);
  if (!p) {
    diags->Error(LocationOf(prefix), prefix_ptr,
                 "invalid prefix in pool '" + std::string(PoolKindName(pool->kind)) + "': " + err);
    return;
  }
  PoolEntry e;
  e.prefix = *p;
  e.src = SourceOf(prefix, prefix_ptr);
  e.length = DefaultSubnetLength(pool->kind, p->family());
  e.length_src = SourceOf(length, ptr + "/length");
  if (IsScalar(length)) {
    try {
      e.length = std::stoi(length.Scalar());
      e.length_given = true;
    } catch (const std::exception&) {  // the schema reports it
    }
  }
  pool->entries.push_back(e);
}

void BuildPool(const YAML::Node& n, const std::string& ptr, Pool* pool, DiagnosticList* diags) {
  pool->src = SourceOf(n, ptr);
  if (!n.IsDefined()) return;
  if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i) {
      BuildPoolEntry(n[i], PointerJoin(ptr, std::to_string(i)), pool, diags);
    }
  } else {
    BuildPoolEntry(n, ptr, pool, diags);
  }
}

bool IsAuto(const YAML::Node& n) { return IsScalar(n) && n.Scalar() == "auto"; }

}  // namespace

void BuildAutomatic(const Document& doc, Topology* t, DiagnosticList* diags) {
  const YAML::Node& root = doc.root;
  if (!IsMap(root)) return;
  const YAML::Node pools = root["pools"];
  if (IsMap(pools)) {
    t->pools.given = true;
    t->pools.src = SourceOf(pools, "/pools");
    BuildPool(pools["links"], "/pools/links", &t->pools.links, diags);
    BuildPool(pools["segments"], "/pools/segments", &t->pools.segments, diags);
    BuildPool(pools["loopbacks"], "/pools/loopbacks", &t->pools.loopbacks, diags);
  }
  t->routes_auto_src = SourceOf(root["routes"], "/routes");
  t->routes_auto = IsAuto(root["routes"]);
  const YAML::Node nodes = root["nodes"];
  if (!IsMap(nodes)) return;
  // One pass over the YAML maps, each node and interface found by name in
  // the model (an index): looking each up by key in the YAML would be a
  // scan per node, quadratic in a big lab. The first entry of a key wins.
  std::unordered_set<const Node*> seen;
  for (const auto& entry : nodes) {
    if (!IsScalar(entry.first)) continue;
    Node* n = t->FindNode(entry.first.Scalar());
    if (!n || !seen.insert(n).second) continue;
    const YAML::Node& body = entry.second;
    if (!IsMap(body)) continue;
    const std::string ptr = PointerJoin("/nodes", n->name);
    const YAML::Node routes = body["routes"];
    n->routes_given = routes.IsDefined();
    n->routes_src = SourceOf(routes, ptr + "/routes");
    n->routes_auto = IsAuto(routes);
    const YAML::Node ifs = body["interfaces"];
    if (!IsMap(ifs)) continue;
    std::unordered_set<const Interface*> seen_if;
    for (const auto& ie : ifs) {
      if (!IsScalar(ie.first)) continue;
      Interface* i = n->FindInterface(ie.first.Scalar());
      if (!i || !seen_if.insert(i).second) continue;
      const YAML::Node& ib = ie.second;
      if (!IsMap(ib) || !IsScalar(ib["auto"])) continue;
      i->auto_src = SourceOf(ib["auto"], PointerJoin(ptr + "/interfaces", i->name) + "/auto");
      i->auto_addressing = ib["auto"].Scalar() != "false";
    }
  }
}

}  // namespace topo
