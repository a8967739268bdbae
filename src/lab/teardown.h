// Teardown undoes the completed actions of a plan in reverse order. Removing a
// namespace removes everything inside it (and veth pairs with an end inside),
// so inverses of actions living in a namespace that is itself being removed are
// skipped: the kernel does that work far faster than one request per object.
// Whatever lives outside the lab's namespaces is undone explicitly. Teardown is
// idempotent: objects already gone are counted, not treated as failures, and it
// carries on past real failures so it removes as much as it can.
//
// Before the first namespace is removed, every process still running in any
// of the lab's namespaces (started by `topo exec`, `ip netns exec`, a daemon
// that forked away) is ended, in one call for all of them (Backend::
// EndProcesses): a process left there would keep its namespace, and the
// interfaces in it, alive without a name.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kernel/backend.h"
#include "lab/observer.h"
#include "lab/sysctl_owners.h"
#include "plan/plan.h"

namespace topo {

struct TeardownReport {
  size_t undone = 0;                      // inverse actions performed
  size_t skipped = 0;                     // went with their namespace
  std::vector<std::string> already_gone;  // "delete namespace server" for what was not there
  std::vector<std::string> errors;        // "delete namespace router: Device or resource busy"
  size_t ended_processes = 0;             // processes started outside the lab file, ended
  bool ok() const { return errors.empty(); }
};

// `done[i]` marks actions that completed; `maybe_in_progress` is an action that
// may or may not have happened (the process died during it): it is undone too,
// and "already gone" is expected for it.
// `observer` (if set) is told of each action as it is dealt with (lab/observer.h).
// With `sysctl_owners`, a root sysctl is restored only by its last owner
// (lab/sysctl_owners.h); the others count it undone.
TeardownReport Teardown(const Plan& plan, const std::vector<bool>& done,
                        std::optional<size_t> maybe_in_progress,
                        const std::map<size_t, std::string>& notes, Backend& backend,
                        LabObserver* observer = nullptr, SysctlOwners* sysctl_owners = nullptr);

}  // namespace topo
