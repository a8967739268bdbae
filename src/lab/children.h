// The children topo runs itself while it changes a lab (iptables-restore:
// kernel/children.h) are journaled: "child PID START" before one may run,
// "child-reaped PID START" once it was waited for (lab/state.h). `up` (with
// its rollback) and `down` record theirs in the lab's journal; `down`, before
// it removes anything, ends every child the journal records as started and
// not waited for that is still alive with the journaled start time (an `up`
// or `down` killed while one ran): it waits a short while for it to finish
// (a rule it is committing is then there, and removed with the rest), then
// SIGKILLs what is left and waits for it, through pidfds, so a recycled pid is
// never signalled and nothing is found by name.
#pragma once

#include <cstddef>
#include <vector>

#include "kernel/children.h"
#include "lab/state.h"

namespace topo {

// Records the calling thread's children in `journal` (kernel/children.h).
class JournalChildren : public ChildRecorder {
 public:
  explicit JournalChildren(Journal* journal) : journal_(journal) {}
  Status Started(const ProcessIdentity& child) override { return journal_->ChildStarted(child); }
  void Reaped(const ProcessIdentity& child) override { journal_->ChildReaped(child); }

 private:
  Journal* journal_;
};

// How long `down` lets a recorded child still running finish before SIGKILL.
inline constexpr int kRecordedChildWaitMs = 1000;

// Ends each of `children` that is still alive with its start time: waits up
// to `wait_ms` for it, then SIGKILL and a wait for its exit. *ended (if given)
// counts those that were alive. Busy, naming the pid, when one outlived
// SIGKILL's wait.
Status EndRecordedChildren(const std::vector<ProcessIdentity>& children, int wait_ms,
                           size_t* ended);

}  // namespace topo
