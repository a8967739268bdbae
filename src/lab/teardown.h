// Teardown undoes the completed actions of a plan in reverse order. Removing a
// namespace removes everything inside it (and veth pairs with an end inside),
// so inverses of actions living in a namespace that is itself being removed are
// skipped: the kernel does that work far faster than one request per object.
// Whatever lives outside the lab's namespaces is undone explicitly: the files
// under /etc/netns all at once, a directory at a time (Backend::
// RemoveEtcFiles), declared programs all at once too. Teardown is
// idempotent: objects already gone are counted, not treated as failures, and it
// carries on past real failures so it removes as much as it can. Its cost is
// O(actions): no step looks through all of the plan or of the kernel per action.
//
// Before the first namespace is removed, every process still running in any
// of the lab's namespaces (started by `topo exec`, `ip netns exec`, a daemon
// that forked away) is ended, in one call for all of them (Backend::
// EndProcesses): a process left there would keep its namespace, and the
// interfaces in it, alive without a name.
//
// Teardown acts by identity where `up` journaled one (IdentityCheck): before a
// namespace is removed, the one that has its name now is compared with the
// lab's (its nsfs inode, one fstat each: O(1)); before an interface of the root
// namespace is deleted, its ifindex. What is not the lab's (another namespace or
// interface that took the name, a symlink planted at /run/netns/NS, which is
// never followed) is left as it is, with everything of the lab's inside it,
// and reported in `not_ours`; what has no identity recorded (a journal of an
// older topo, or lost) is removed by its name and reported in `unverified`.
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
  // "namespace 'a-h1': /run/netns/a-h1 is a symbolic link, ...; left as it is"
  std::vector<std::string> not_ours;
  // "namespace 'a-h1'": removed by name, no identity to check it against
  std::vector<std::string> unverified;
  // What may be the lab's but was left because nothing verified it (with
  // IdentityCheck::names_trusted false): "interface 'veth-h' of the host"
  std::vector<std::string> unverified_left;
  bool ok() const { return errors.empty(); }
};

// The identities `up` journaled (LabRecord::namespace_ids, root_links).
struct IdentityCheck {
  std::map<std::string, std::string> namespaces;  // ns -> "DEV:INO"
  std::map<std::string, int> root_links;          // root namespace interface -> ifindex
  // Whether what has no identity recorded may be removed by its name. False
  // when the journal is damaged: an interface of the host without one is then
  // left (in `not_ours`, as not verified), since nothing says the lab made it.
  bool names_trusted = true;
};

// `done[i]` marks actions that completed; `maybe_in_progress` is an action that
// may or may not have happened (the process died during it): it is undone too,
// and "already gone" is expected for it.
// `observer` (if set) is told of each action as it is dealt with (lab/observer.h).
// With `sysctl_owners`, a root sysctl is restored only by its last owner
// (lab/sysctl_owners.h); the others count it undone.
// Without `check` (a rollback by the process that made the objects) names are
// trusted.
TeardownReport Teardown(const Plan& plan, const std::vector<bool>& done,
                        std::optional<size_t> maybe_in_progress,
                        const std::map<size_t, std::string>& notes, Backend& backend,
                        LabObserver* observer = nullptr, SysctlOwners* sysctl_owners = nullptr,
                        const IdentityCheck* check = nullptr);

}  // namespace topo
