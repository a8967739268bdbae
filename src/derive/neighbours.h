// How many neighbour (ARP and NDP) entries a lab may need, against the host's
// limit. The kernel's neighbour tables are machine-wide: every namespace's
// entries count toward one limit, net.ipv4.neigh.default.gc_thresh3 (and the
// ipv6 twin), which exists only in the initial namespace (1024 by default).
// Past it the kernel drops packets ("neighbor table overflow"), so a lab of a
// few thousand links fails its checks for a reason that is not its own.
//
// The estimate counts, per family, the entries that traffic across each layer-2
// domain makes at least: 2 per point-to-point link whose ends both have an
// address of the family; 2 x (members - 1) per switch segment (switches joined
// by links are one segment), as when one gateway talks to every other member.
// Pure: the limit is given, not read.
#pragma once

#include <cstddef>

#include "model/diagnostic.h"
#include "model/topology.h"

namespace topo {

struct NeighbourCount {
  size_t v4 = 0;
  size_t v6 = 0;
};

NeighbourCount EstimateNeighbours(const Topology& t);

// The sysctl that caps the table of `family` (4 or 6).
const char* NeighbourLimitSysctl(int family);

// A warning per family whose estimate exceeds `host` (0: unknown, no warning),
// unless a root node of the lab raises the limit far enough with its
// `sysctls:` (restored at `down`). Located at the lab's `name`.
void WarnNeighbourLimits(const Topology& t, const NeighbourCount& host, DiagnosticList* diags);

}  // namespace topo
