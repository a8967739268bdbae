#include "gen/shapes.h"

#include <algorithm>
#include <cstdint>

namespace topo::gen {
namespace {

// The largest N of any shape; a full mesh has N(N-1)/2 links, so it stops earlier.
constexpr int kMaxN = 10000;
constexpr int kMaxMesh = 100;
constexpr int kMaxSpines = 100;
constexpr int kMaxHostsPerLeaf = 100;

std::string Num(const char* stem, long i) { return stem + std::to_string(i); }

class Builder {
 public:
  explicit Builder(Graph* g) : g_(g) {}
  void Router(const std::string& name) {
    g_->nodes.push_back({name, "router"});
    g_->routers.push_back(name);
  }
  void Switch(const std::string& name) {
    g_->nodes.push_back({name, "switch"});
    g_->has_switches = true;
  }
  void Host(const std::string& name) {
    g_->nodes.push_back({name, "host"});
    g_->hosts.push_back(name);
  }
  // A link between two routers (or switches), each interface named after the other node.
  void Join(const std::string& a, const std::string& b) { g_->links.push_back({a, b, b, a}); }
  // A host `h` on node `at`: [at:h, h:eth0].
  void Attach(const std::string& at, const std::string& h) {
    g_->links.push_back({at, h, h, "eth0"});
  }
  // A router `r` and its host `h`, attached.
  void RouterWithHost(const std::string& r, const std::string& h) {
    Router(r);
    Host(h);
  }

 private:
  Graph* g_;
};

int CeilSqrt(int n) {
  int k = 1;
  while (k * k < n) ++k;
  return k;
}

void Star(int n, Graph* g) {
  Builder b(g);
  b.Router("r");
  for (int i = 1; i <= n; ++i) b.Host(Num("h", i));
  for (int i = 1; i <= n; ++i) b.Attach("r", Num("h", i));
  g->longest_path = 1;
}

// a - r1 - r2 - ... - rN - b
void Chain(int n, Graph* g) {
  Builder b(g);
  b.Host("a");
  for (int i = 1; i <= n; ++i) b.Router(Num("r", i));
  b.Host("b");
  g->links.push_back({"a", "eth0", "r1", "a"});
  for (int i = 1; i < n; ++i) b.Join(Num("r", i), Num("r", i + 1));
  g->links.push_back({Num("r", n), "b", "b", "eth0"});
  g->longest_path = n;
}

// r1 - r2 - ... - rN - r1, host hI on rI.
void Ring(int n, Graph* g) {
  Builder b(g);
  for (int i = 1; i <= n; ++i) b.RouterWithHost(Num("r", i), Num("h", i));
  for (int i = 1; i < n; ++i) b.Join(Num("r", i), Num("r", i + 1));
  b.Join(Num("r", n), "r1");
  for (int i = 1; i <= n; ++i) b.Attach(Num("r", i), Num("h", i));
  g->longest_path = n / 2 + 1;
}

// Switch s0, leaf switches s1..sK (K = ceil(sqrt N)) under it, hosts spread round-robin over
// the leaves: one broadcast domain, no router.
void Tree(int n, Graph* g) {
  Builder b(g);
  const int k = CeilSqrt(n);
  for (int j = 0; j <= k; ++j) b.Switch(Num("s", j));
  for (int i = 1; i <= n; ++i) b.Host(Num("h", i));
  for (int j = 1; j <= k; ++j) b.Join("s0", Num("s", j));
  for (int i = 1; i <= n; ++i) b.Attach(Num("s", (i - 1) % k + 1), Num("h", i));
  g->segment_members = static_cast<size_t>(n);
}

// Every router linked to every other; host hI on rI.
void Mesh(int n, Graph* g) {
  Builder b(g);
  for (int i = 1; i <= n; ++i) b.RouterWithHost(Num("r", i), Num("h", i));
  for (int i = 1; i <= n; ++i) {
    for (int j = i + 1; j <= n; ++j) b.Join(Num("r", i), Num("r", j));
  }
  for (int i = 1; i <= n; ++i) b.Attach(Num("r", i), Num("h", i));
  g->longest_path = 2;
}

// Leaf-spine: every leaf linked to every spine; hosts h1.. numbered across the leaves, H each.
void Clos(int n, int spines, int per_leaf, Graph* g) {
  Builder b(g);
  for (int j = 1; j <= spines; ++j) b.Router(Num("spine", j));
  for (int i = 1; i <= n; ++i) b.Router(Num("leaf", i));
  for (long h = 1; h <= static_cast<long>(n) * per_leaf; ++h) b.Host(Num("h", h));
  // Spine by spine: the links to one spine get consecutive subnets from the pool, so a leaf's
  // automatic routes to them (all via that spine) aggregate into a few prefixes.
  for (int j = 1; j <= spines; ++j) {
    for (int i = 1; i <= n; ++i) b.Join(Num("leaf", i), Num("spine", j));
  }
  for (int i = 1; i <= n; ++i) {
    for (int k = 1; k <= per_leaf; ++k) {
      b.Attach(Num("leaf", i), Num("h", static_cast<long>(i - 1) * per_leaf + k));
    }
  }
  g->longest_path = 3;  // leaf, spine, leaf
}

// Routers r1..rN row by row in rows of W = ceil(sqrt N), each linked to its right and lower
// neighbours; host hI on rI.
void Grid(int n, Graph* g) {
  Builder b(g);
  const int w = CeilSqrt(n);
  for (int i = 1; i <= n; ++i) b.RouterWithHost(Num("r", i), Num("h", i));
  for (int i = 1; i <= n; ++i) {
    if (i % w != 0 && i + 1 <= n) b.Join(Num("r", i), Num("r", i + 1));
    if (i + w <= n) b.Join(Num("r", i), Num("r", i + w));
  }
  for (int i = 1; i <= n; ++i) b.Attach(Num("r", i), Num("h", i));
  const int rows = (n + w - 1) / w;
  g->longest_path = (rows - 1) + (std::min(n, w) - 1) + 1;
}

Status Range(const std::string& what, int value, int low, int high, const std::string& why) {
  if (value >= low && value <= high) return Status::OK();
  return Status::InvalidArgument(what + " must be " + std::to_string(low) + " to " +
                                 std::to_string(high) + " (got " + std::to_string(value) + ")" +
                                 (why.empty() ? "" : ": " + why));
}

}  // namespace

Status BuildShape(const Options& o, Graph* g) {
  *g = Graph{};
  const std::string shape = ShapeNames()[static_cast<size_t>(o.shape)];
  const std::string what = "N of " + shape;
  Status s;
  switch (o.shape) {
    case Shape::kStar:
      if (s = Range(what, o.n, 1, kMaxN, ""); s.ok()) Star(o.n, g);
      break;
    case Shape::kChain:
      if (s = Range(what, o.n, 1, kMaxN, "the routers between hosts a and b"); s.ok()) {
        Chain(o.n, g);
      }
      break;
    case Shape::kRing:
      if (s = Range(what, o.n, 3, kMaxN, "a ring needs at least 3 routers"); s.ok()) Ring(o.n, g);
      break;
    case Shape::kTree:
      if (s = Range(what, o.n, 1, kMaxN, ""); s.ok()) Tree(o.n, g);
      break;
    case Shape::kMesh:
      s = Range(what, o.n, 2, kMaxMesh,
                "a full mesh of N routers has N(N-1)/2 links, and each router a route to each");
      if (s.ok()) Mesh(o.n, g);
      break;
    case Shape::kClos:
      s = Range(what, o.n, 2, kMaxN, "N is the number of leaves");
      if (s.ok()) s = Range("--spines", o.spines, 1, kMaxSpines, "");
      if (s.ok()) s = Range("--hosts-per-leaf", o.hosts_per_leaf, 1, kMaxHostsPerLeaf, "");
      if (s.ok() && static_cast<long>(o.n) * o.hosts_per_leaf > kMaxN) {
        s = Status::InvalidArgument("a clos of " + std::to_string(o.n) + " leaves with " +
                                    std::to_string(o.hosts_per_leaf) +
                                    " hosts each has more than " + std::to_string(kMaxN) +
                                    " hosts");
      }
      if (s.ok()) Clos(o.n, o.spines, o.hosts_per_leaf, g);
      break;
    case Shape::kGrid:
      if (s = Range(what, o.n, 2, kMaxN, ""); s.ok()) Grid(o.n, g);
      break;
  }
  return s;
}

}  // namespace topo::gen
