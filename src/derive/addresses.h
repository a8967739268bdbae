// Automatic addressing: the addresses a topology leaves out, assigned from its
// `pools` (docs/format.md, "Automatic addressing") and stored in the Topology
// as if written, so that every later stage (checks, plan, status, graph,
// substitutions) sees them without knowing. Deterministic: the same topology
// gives the same addresses. Pure: no kernel, no file.
#pragma once

#include "model/diagnostic.h"
#include "model/topology.h"

namespace topo {

// Checks the pools (sizes, overlaps, one entry per family), lets links imply
// the host/router/root interfaces they name, and assigns addresses: first to
// point-to-point links in link order, then to switch segments in the order
// of their first switch, then to routers' `lo` in node order. Problems (a bad
// pool, one that runs out, a written subnet left without a free address) are
// located diagnostics. Without `pools` it does nothing. Tolerant of a
// topology with errors (unknown nodes in links are skipped: Check reports them).
void AssignAddresses(Topology* t, DiagnosticList* diags);

}  // namespace topo
