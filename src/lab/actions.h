// One plan action against a Backend, and its inverse: what Apply runs front to
// back and Teardown runs back to front. Each call is a single step; none
// journals, retries or rolls back (Apply and Teardown do).
#pragma once

#include <string>

#include "kernel/backend.h"
#include "lab/node_runtime.h"
#include "model/status.h"
#include "plan/plan.h"

namespace topo {

// Performs one action; `note` receives what its inverse will need (a sysctl's
// old value, the directories a file write created). For a root sysctl that
// the kernel propagates (net.ipv4.ip_forward, net.ipv{4,6}.conf.all.forwarding,
// model/sysctl_aliases.h) the note also holds, line by line, every
// interface's value as it was, which the inverse writes back after the value.
Status DoAction(Backend& backend, const Action& a, std::string* note);
// What the inverse of an action in the root namespace needs, read before the
// action runs (and journaled, so that a crash during it cannot lose it): a
// sysctl's value, or kNewNatTable when SNAT rules are about to create the nat
// table (kNewTable when firewall rules are about to create theirs). Empty for
// everything else.
Status PrepareAction(Backend& backend, const Action& a, std::string* note);
inline constexpr char kNewNatTable[] = "new-nat-table";
inline constexpr char kNewTable[] = "new-table";
// A node's private directory or stored file (kMakeNodeDir, kWriteNodeFile),
// made through the runtime; their inverse is nothing: they are kept under the
// lab's state directory, which goes with the lab's record.
Status DoNodeAction(NodeRuntime* runtime, const Action& a);
// Performs one action's inverse. NotFound means it was already gone. For a
// program (kStartProgram), `note` is its journaled identity: it is stopped
// (SIGTERM, its stop_timeout, SIGKILL) if it is still that process.
Status UndoAction(Backend& backend, const Action& a, const std::string& note);

}  // namespace topo
