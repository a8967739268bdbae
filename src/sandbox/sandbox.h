// The sandbox: topo without root. An unprivileged user (or `--rootless`)
// builds labs inside a user namespace that maps the caller to root, with a
// private mount namespace (its own /run/netns, /run/topo and /etc/netns, on
// tmpfs) and a private network namespace standing for the root namespace.
// Inside, topo's ordinary code paths run unchanged as the sandbox's root;
// nothing of the host is touched and no setuid helper is involved.
//
// Two ways in:
// - EnterNew: a fresh sandbox for this process only (`topo test FILE`,
//   `topo run`, topo::Lab). When the process ends, the kernel frees the
//   namespaces and everything in them, even after SIGKILL.
// - JoinHolder: labs that outlive a command (`topo up`, then `exec`, `down`
//   ...). A small holder process keeps the sandbox alive; its pid and start
//   time are in the per-user directory (UserDir), and commands setns() into its
//   user, mount and network namespaces. `down` of the last lab ends it.
//
// Both must run while the process has a single thread (the kernel refuses
// unshare/setns of a user namespace otherwise): early in main, before
// anything starts a thread. Errors that come from the machine's settings
// (user namespaces disabled, AppArmor, a container's seccomp profile) name
// the setting and the fix. Nothing here prints or exits.
#pragma once

#include <string>

#include "model/status.h"

namespace topo::sandbox {

// Enters a fresh sandbox: unshare(user, mount, net), map the caller to root
// (setgroups deny), and make /run/netns, /run/topo and /etc/netns private.
Status EnterNew();

// Whether this process runs inside a user namespace (its uid_map is not the
// identity), i.e. in a sandbox it entered or inherited from `topo run`.
bool InUserNamespace();

// The per-user directory: $XDG_RUNTIME_DIR/topo, or /tmp/topo-UID when
// XDG_RUNTIME_DIR is unset or unusable. Created 0700; refused when it is a
// symlink, belongs to someone else or is open to others.
Status UserDir(std::string* out);

// Joins the holder's sandbox; when there is none and `create` is set, enters
// a fresh one and starts a holder for it (else enters a fresh, empty one, so
// the verb finds no lab). The process keeps a shared lock on the per-user
// directory until it exits, so a `down` running at the same time does not end
// the holder under it.
Status JoinHolder(bool create);

// Called after `down` when no lab is left: ends the holder (by its pid, after
// checking its start time) unless another command is using the sandbox.
void EndHolderIfIdle();

}  // namespace topo::sandbox
