// `routes: auto`: static routes computed along shortest paths over the lab's
// subnets (docs/format.md, "Automatic routes"), stored in the Topology as if
// written (Route::automatic set, src the `routes: auto`). Hosts get a default
// route per family via an adjacent router; routers a route to every subnet
// they are not on, sibling routes with the same next hop merged into their
// prefix (exactly the same addresses). Deterministic; one BFS per run of
// destinations (in address order) attached to the same routers, memory
// linear in the lab. Pure: no kernel, no file.
#pragma once

#include "model/diagnostic.h"
#include "model/topology.h"

namespace topo {

// Whether node `n` gets automatic routes: its own `routes: auto`, or the
// top-level one when it has no `routes` (hosts and routers only).
bool HasAutoRoutes(const Topology& t, const Node& n);

// `routes: auto` where it cannot be: on a switch or a root node. Run with
// the other checks, on any topology.
void CheckAutoRoutes(const Topology& t, DiagnosticList* diags);

// Adds the routes of every node with automatic routes. Run on a topology
// that passed Check. A destination a router cannot reach (a disconnected
// lab) is an error at its `routes: auto`.
void ComputeRoutes(Topology* t, DiagnosticList* diags);

}  // namespace topo
