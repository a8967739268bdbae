// ExecInNamespace replaces the current process with a command running inside a
// named network namespace, exactly as `ip netns exec` sets it up: a private
// mount namespace in which /sys shows the namespace's devices and every file in
// /etc/netns/NAME/ is bind-mounted over its /etc counterpart. The command is run
// with execvp, never through a shell.
#pragma once

#include <string>
#include <vector>

#include "status.h"

namespace topo {

// Returns only on failure.
Status ExecInNamespace(const std::string& ns, const std::vector<std::string>& argv,
                       const std::string& netns_dir = "/run/netns");

}  // namespace topo
