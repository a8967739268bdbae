// ExecInNamespace replaces the current process with a command running inside a
// named network namespace, exactly as `ip netns exec` sets it up: a private
// mount namespace in which /sys shows the namespace's devices and every file in
// /etc/netns/NAME/ is bind-mounted over its /etc counterpart (and, for topo
// exec, the host name is the node's, in a UTS namespace of its own).
// ExecInNodeView does the same in a node's whole view (node_view.h: its
// private directories and files too). The command is run with execvp, never
// through a shell. An empty `ns` is the root namespace (a lab's `root` node,
// the host itself): the command then runs as it is, with no namespace, mount
// or host name of its own.
//
// ResetSignalsForExec gives a program topo starts the signal state a shell
// would: topo itself ignores SIGPIPE and catches the signals that would kill
// it halfway (cli/common.h), and an ignored signal survives exec. It also puts
// back the open-file limit topo started with (kernel/file_limit.h).
#pragma once

#include <string>
#include <vector>

#include "kernel/node_view.h"
#include "model/status.h"

namespace topo {

// Every signal back to its default action and none blocked, and the open-file
// limit topo started with. Async-signal-safe:
// for a child between fork() and exec().
void ResetSignalsForExec();

// With a `hostname`, the command also gets a UTS namespace of its own with
// that host name, so it sees the node's name (`hostname`, shell prompts).
// Returns only on failure.
Status ExecInNamespace(const std::string& ns, const std::vector<std::string>& argv,
                       const std::string& netns_dir = "/run/netns",
                       const std::string& hostname = "");
Status ExecInNodeView(const NodeView& view, const std::vector<std::string>& argv);

}  // namespace topo
