// The address pools of a topology (top-level `pools`) and the `routes: auto`
// flags, as written: plain values with their sources. derive/ reads them to
// fill in the addresses and routes a file leaves out (derive/addresses.h,
// derive/routes.h); nothing else needs to, since what derive assigns is
// stored in the Topology exactly as if it had been written.
#pragma once

#include <string>
#include <vector>

#include "model/ip.h"
#include "model/source.h"

namespace topo {

// What a pool's subnets are for.
enum class PoolKind {
  kLinks,      // point-to-point links (neither end a switch): a /31 and a /127 each by default
  kSegments,   // switch segments: a /24 and a /64 each by default
  kLoopbacks,  // routers' `lo`: a /32 and a /128 each, always
};
const char* PoolKindName(PoolKind k);  // "links", "segments", "loopbacks"
// The default size of each subnet of a pool of kind `k` in `family` (4 or 6).
int DefaultSubnetLength(PoolKind k, int family);

// One prefix of a pool, cut into subnets of `length` (the long form's
// `length`, else DefaultSubnetLength).
struct PoolEntry {
  Prefix prefix;  // as written (Check reports host bits set)
  int length = 0;
  bool length_given = false;
  Source src;         // the prefix value
  Source length_src;  // the `length` value (loc 0:0 when absent)
};

// A pool: at most one entry per family (Check reports a second).
struct Pool {
  PoolKind kind = PoolKind::kLinks;
  std::vector<PoolEntry> entries;
  Source src;  // the pool's value (loc 0:0 when absent)

  // The entry of `family`, or nullptr.
  const PoolEntry* Entry(int family) const;
};

struct Pools {
  Pool links{PoolKind::kLinks, {}, {}};
  Pool segments{PoolKind::kSegments, {}, {}};
  Pool loopbacks{PoolKind::kLoopbacks, {}, {}};
  bool given = false;  // the file has a `pools` key
  Source src;

  const Pool& Of(PoolKind k) const;
};

}  // namespace topo
