// SysctlOwners: which labs own which sysctl of a root namespace (a `root`
// node's `sysctls:`), shared by every topo process of the machine whatever
// its state directory, so that a setting several labs set is restored only
// when the last of them goes down, to the value it had before the first.
//
// The registry is one JSON file, REGISTRY/sysctls (REGISTRY: $TOPO_REGISTRY_DIR,
// or /run/topo/registry; every topo of a machine must see the same one),
// read and rewritten whole (a temporary file renamed into place) under its
// own lock, REGISTRY/lock, held only for one Claim, Release or Conflicts. An
// entry is a setting of one namespace:
//
//   {"netns": "cookie:N", "key": CANONICAL KEY, "value": V,
//    "original": NOTE, "owners": [{"dir": STATE DIR, "lab": LAB, "as": KEY}]}
//
// `netns` is the identity of the namespace topo started in (kernel/netns.h:
// a test's stand-in host is not the machine's), `key` the setting's canonical
// name (model/sysctl_aliases.h: net.ipv4.ip_forward and
// net.ipv4.conf.all.forwarding are one), `original` what restoring it needs,
// read before the first owner changed it (lab/actions.h: the value, then
// every key the kernel propagates it to, as they were).
//
// Settings tied by propagation: the kernel copies net.ipvN.conf.all.forwarding
// into every conf.IF.forwarding and conf.default.forwarding of its family
// (model/sysctl_aliases.h), so an owner of such a key and one of that setting
// own one value between them. Another value is refused (either way round,
// naming the owner). With the same value: a key claimed while the setting is
// owned takes as its original what the setting's owner found there; while
// the setting has a live owner, the key's last owner restores nothing and
// hands its original to the setting's entry (restored when that goes); and
// the setting's last owner, while the key has a live owner, writes the key's
// owned value back after its own restore (which the kernel copies everywhere).
// So whichever goes first leaves the other's value, and the last puts back
// what was there before both.
//
// Crash safety: an owner is claimed before the kernel is changed and dropped
// after the value is restored, so a crash in between leaves an owner whose
// lab's journal still names the action; `down` then releases it again. An
// owner whose lab is no longer recorded in its state directory (or whose plan
// there sets no such root sysctl) is stale and dropped when the entry is next
// read; the value it set then stays, and the next lab takes it as original.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/status.h"
#include "plan/plan.h"

namespace topo {

class SysctlOwners {
 public:
  // Owners on behalf of lab `lab` of the store in `state_dir`.
  SysctlOwners(std::string registry_dir, std::string state_dir, std::string lab);
  // $TOPO_REGISTRY_DIR, or /run/topo/registry.
  static std::string DefaultDir();

  // Whether `a` is an action the registry counts: a sysctl of the root namespace.
  static bool Counts(const Action& a);

  // Before action `a` changes the kernel: `now` is the note read just before
  // (lab/actions.h PrepareAction). With no live owner, this lab becomes the
  // first and `now` the original; with owners that set the same value, this
  // lab joins them and *original is theirs; another value is refused
  // (AlreadyExists, naming an owner). *original is what the lab's journal
  // should keep for the inverse.
  Status Claim(const Action& a, const std::string& now, std::string* original);

  // The inverse of `a`: drops this lab. While another owner remains nothing is
  // restored (*restored false). The last owner calls `restore` with the
  // original (or with `journal_note` when the registry has no entry naming
  // this lab and no other owner: a lab brought up before the registry
  // existed) while the registry is locked, and the entry goes once it succeeds.
  Status Release(const Action& a, const std::string& journal_note,
                 const std::function<Status(const std::string&)>& restore, bool* restored);

  // What `up` refuses before touching anything: each root sysctl of `plan`
  // that a live owner has set to another value.
  std::vector<std::string> Conflicts(const Plan& plan);

 private:
  // Takes the registry's lock and reads it: the entries, and this namespace's
  // identity. The wait for the lock ends on a signal topo catches, but for
  // Release's (a `down` or rollback finishes what it has begun).
  Status Open(int* lock_fd, std::string* netns, nlohmann::json* entries, bool interruptible = true);

  std::string registry_dir_, state_dir_, lab_;
};

}  // namespace topo
