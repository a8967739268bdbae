// PickUniquePrefix chooses a short random prefix ("t3kq9-") under which a
// topology's lab and namespaces clash with nothing that exists now: no lab in
// the state store has that name, and no namespace file of that name is under
// the netns directory. It only looks; it reserves nothing. Two processes may
// pick the same prefix at the same moment, and then `Up`'s collision check
// (made under the store's lock) refuses the second one: callers that want a
// unique prefix retry with a new pick when Up says AlreadyExists.
#pragma once

#include <string>

#include "netns.h"
#include "state.h"
#include "topology.h"

namespace topo {

// Returns "t" + four random lower-case letters and digits + "-".
std::string PickUniquePrefix(const Topology& topology, const StateStore& store,
                             const std::string& netns_dir = kDefaultNetnsDir);

}  // namespace topo
