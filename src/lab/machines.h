// Which machine's part of a lab across machines (`machines:`,
// model/machines.h) topo works on where it runs. A machine is whatever
// network namespace topo runs in: the one whose `address` is assigned there,
// as the backend reads it (Inspect of the namespace topo runs in, "").
#pragma once

#include <string>
#include <vector>

#include "kernel/backend.h"
#include "model/status.h"
#include "model/topology.h"

namespace topo {

// The machines of `t` whose address is assigned in the namespace topo runs
// in, in file order.
Status MachinesHere(const Topology& t, Backend& backend, std::vector<std::string>* machines);

// The machine to work on: `requested` when given (an error when `t` has no
// such machine; with `must_be_here`, also when its address is not assigned
// where topo runs), else the one machine whose address is assigned here (an
// error naming every machine and its address when none or several are).
// `backend` may be null when `requested` is given and `must_be_here` is not.
Status ChooseMachine(const Topology& t, const std::string& requested, Backend* backend,
                     bool must_be_here, std::string* machine);

}  // namespace topo
