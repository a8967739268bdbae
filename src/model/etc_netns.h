// Where `ip netns exec` looks for a namespace's own configuration files: a
// file /etc/netns/NS/NAME is bind-mounted over /etc/NAME for commands run in
// namespace NS. Only the naming lives here (the plan prints these paths);
// kernel/netns_files.h writes and removes the files.
#pragma once

#include <string>

namespace topo {

inline constexpr char kEtcNetnsDir[] = "/etc/netns";

// "/etc/netns/NS/NAME" (or "/etc/netns/NS/" for an empty name).
inline std::string EtcNetnsPath(const std::string& ns, const std::string& name,
                                const std::string& etc_dir = kEtcNetnsDir) {
  return etc_dir + "/" + ns + "/" + name;
}

}  // namespace topo
