// Limits of the machine topo runs on that a lab can run into, read from the
// kernel (/proc/sys of the namespace topo runs in). Reads only; never writes.
#pragma once

#include <cstddef>

namespace topo {

// net.ipv{4,6}.neigh.default.gc_thresh3: how many neighbour entries the
// machine's table for `family` (4 or 6) holds, across every namespace. 0 when
// it cannot be read (it exists only in the initial network namespace, so
// rootless topo, in a namespace of its own, gets 0).
size_t ReadNeighbourLimit(int family);

}  // namespace topo
