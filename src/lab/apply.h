// Apply executes a Plan against a Backend, front to back, recording each
// completed action in the lab's journal. If an action fails, or `cancel` becomes
// true between actions (SIGINT/SIGTERM), Apply rolls back what it did, so the
// machine is left as it was, and reports the failing action with the kernel's
// message: "create veth server:vethS <-> router:veth-srv: File exists".
// The programs at the end of the plan start together (lab/programs.h): Apply
// returns once every one is ready, and rolls back when one is not.
#pragma once

#include <functional>

#include <atomic>
#include <map>
#include <optional>

#include "kernel/backend.h"
#include "lab/actions.h"
#include "lab/node_runtime.h"
#include "lab/observer.h"
#include "lab/state.h"
#include "lab/sysctl_owners.h"
#include "lab/teardown.h"
#include "plan/plan.h"

namespace topo {

struct ApplyResult {
  Status status;       // ok, or what failed
  size_t applied = 0;  // actions that completed (before any rollback)
  std::optional<size_t> failed_index;
  bool rolled_back = false;
  TeardownReport rollback;  // what the rollback did, when it ran
  // What the inverses of completed actions need (as journaled), by action index.
  std::map<size_t, std::string> notes;
};

struct ApplyOptions {
  Journal* journal = nullptr;                 // may be null (tests)
  const std::atomic<bool>* cancel = nullptr;  // checked between actions
  // Told of each action attempted, with its duration and result (progress,
  // logs); may be null.
  LabObserver* observer = nullptr;
  // Makes the nodes' directories and files and starts their programs
  // (lab/programs.h); needed only by plans that have such actions.
  NodeRuntime* runtime = nullptr;
  // Called once, after every network action and before the first program
  // starts (`--pcap`: captures see the programs' first packets); an error
  // fails the apply there. Not called for a plan without programs.
  std::function<Status(const Plan&)> before_programs;
  // Counts this lab among the owners of each root sysctl it sets, shared with
  // other labs (lab/sysctl_owners.h); null: every lab restores its own.
  SysctlOwners* sysctl_owners = nullptr;
};

ApplyResult Apply(const Plan& plan, Backend& backend, const ApplyOptions& options = {});

}  // namespace topo
