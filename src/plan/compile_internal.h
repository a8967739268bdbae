// Internals of Compile (compile.h) shared by compile.cc and
// compile_machine.cc. Not part of the library's interface.
#pragma once

#include <optional>
#include <string>

#include "model/topology.h"
#include "plan/plan.h"

namespace topo::compile_internal {

// The plan of `t`, which is `whole` or one machine's part of it: the hosts
// file names every node of `whole`, and lab facts are substituted from it.
Plan CompileOf(const Topology& t, const Topology& whole, const std::string& source_file);

// The end of link `l` (between two machines) that part `t` holds: a VXLAN
// interface made from the machine's namespace and moved into its node's;
// nullopt when `t` holds neither end or both (the whole lab: a veth then).
std::optional<Action> VxlanEnd(const Topology& t, const Topology& whole, const Link& l);

}  // namespace topo::compile_internal
