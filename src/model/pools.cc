#include "model/pools.h"

namespace topo {

const char* PoolKindName(PoolKind k) {
  switch (k) {
    case PoolKind::kLinks:
      return "links";
    case PoolKind::kSegments:
      return "segments";
    case PoolKind::kLoopbacks:
      return "loopbacks";
  }
  return "?";
}

int DefaultSubnetLength(PoolKind k, int family) {
  const bool v4 = family == 4;
  switch (k) {
    case PoolKind::kLinks:
      return v4 ? 31 : 127;
    case PoolKind::kSegments:
      return v4 ? 24 : 64;
    case PoolKind::kLoopbacks:
      break;
  }
  return v4 ? 32 : 128;
}

const PoolEntry* Pool::Entry(int family) const {
  for (const PoolEntry& e : entries) {
    if (e.prefix.family() == family) return &e;
  }
  return nullptr;
}

const Pool& Pools::Of(PoolKind k) const {
  switch (k) {
    case PoolKind::kLinks:
      return links;
    case PoolKind::kSegments:
      return segments;
    case PoolKind::kLoopbacks:
      break;
  }
  return loopbacks;
}

}  // namespace topo
