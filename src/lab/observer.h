// LabObserver: how the lab layer reports what it does as it goes, without
// printing. Apply (and so Up and BringUp), rollback and Teardown (and so Down)
// call OnAction once per action of the plan, in the order they handle them:
// with the kernel request's duration and result when the action (or, undoing,
// its inverse) was performed, and as progress only when it was not (an
// inverse that goes with its namespace, an action that never ran).
//
// The command line turns the events into progress and log lines (-v,
// TOPO_LOG, the lab's log file); tests record them. Calls come from the
// thread that runs the operation; an observer must not throw.
#pragma once

#include <chrono>
#include <cstddef>

#include "model/status.h"
#include "plan/plan.h"

namespace topo {

struct ActionEvent {
  enum class Step {
    kApply,  // the action itself (up)
    kUndo,   // its inverse (rollback, down)
  };
  Step step = Step::kApply;
  size_t index = 0;  // in the plan
  const Action* action = nullptr;
  // Whether the kernel was asked: false for an inverse that goes with its
  // namespace or an action that had not run (progress only).
  bool performed = true;
  Status status;  // the result; for an inverse, NotFound means already gone
  std::chrono::microseconds duration{0};
  size_t handled = 0;  // actions handled so far in this operation, this one included
  size_t total = 0;    // actions this operation handles
};

class LabObserver {
 public:
  virtual ~LabObserver() = default;
  virtual void OnAction(const ActionEvent& event) = 0;
};

}  // namespace topo
