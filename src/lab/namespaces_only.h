// The fast `down`: a lab is "namespaces-only" when ending its processes and
// removing its namespaces, the files topo wrote for them under /etc/netns and
// its state directory (the nodes' private directories and files) undo all it
// did: nothing of it is in the root namespace (no root node, no host end of a
// veth, no root sysctl, SNAT or firewall rule). Such a lab's journal says so in
// its header, "plan N namespaces-only", written before the kernel is touched,
// and lists just after it, one line each, the actions of the plan that
// removing the namespaces does not undo, with what teardown needs of them:
//
//   etc-file N NS FILE                    action N wrote /etc/netns/NS/FILE
//   program N NS NODE NAME STOP_MS        action N starts program NODE/NAME in
//                                         namespace NS; `down` gives it STOP_MS
//                                         between SIGTERM and SIGKILL
//
// so that `down` of a complete lab of any size reads the namespaces file and
// the journal, never plan.json, and performs one inverse per namespace, per
// such file (a directory at a time) and per program. Used by state.cc; the
// journal's other lines are state.h's.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "plan/plan.h"

namespace topo {

// The journal's first lines for `plan`: the header, then, for a
// namespaces-only lab, the lines above.
std::string JournalHeader(const Plan& plan);

// What the lines above say: action index -> the action, with only what
// teardown needs of it set.
using OutsideActions = std::vector<std::pair<size_t, Action>>;

// Whether `kind` (a journal line's first word) is one of the lines above.
bool IsOutsideLine(const std::string& kind);
// Reads one such line (`rest` is what follows its first word) of a plan of
// `actions` actions into *out; "" or what is wrong with it.
std::string ParseOutsideLine(const std::string& kind, const std::string& rest, size_t actions,
                             OutsideActions* out);

// The plan teardown needs of a complete namespaces-only lab: a namespace
// creation for each name of `names` (the namespaces file), then the
// `outside` actions, in plan order; *notes gets the journal's notes of those
// (`journaled`, by plan index) by their index in the new plan. False when the
// lines do not fit the names (a namespace they name is not the lab's, an
// action listed twice, more actions than the header's `actions`).
bool NamespacesOnlyTeardownPlan(const std::vector<std::string>& names,
                                const OutsideActions& outside,
                                const std::map<size_t, std::string>& journaled, size_t actions,
                                Plan* plan, std::map<size_t, std::string>* notes);

}  // namespace topo
