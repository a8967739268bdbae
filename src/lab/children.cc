#include "lab/children.h"

namespace topo {

Status EndRecordedChildren(const std::vector<ProcessIdentity>& children, int wait_ms,
                           size_t* ended) {
  std::vector<ProcessIdentity> alive;
  for (const ProcessIdentity& child : children) {
    if (ProcessAlive(child)) alive.push_back(child);
  }
  if (ended) *ended = alive.size();
  if (alive.empty()) return Status::OK();
  // No first signal: a child finishing its commit is let finish, until wait_ms.
  const std::vector<Status> stopped =
      StopProcesses(alive, std::vector<int>(alive.size(), wait_ms), /*first_signal=*/0);
  for (const Status& s : stopped) {
    if (!s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace topo
