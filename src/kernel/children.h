// The programs topo itself runs while it changes a lab (iptables-restore and
// the like, through RunInNamespace in netns.h) can outlive a topo that was
// killed: PR_SET_PDEATHSIG ends them, but a child already inside the kernel
// call that commits a rule finishes that call first, and a `down` started
// right then would remove the lab and see the rule appear after it (issue
// #16, item 8). So such a child is *recorded as started*: RunInNamespace tells
// the calling thread's ChildRecorder (a lab's journal, lab/children.h) its
// pid and start time once it exists, and the child runs its program only
// after the recorder has returned (it waits on a pipe; if topo dies first, it
// exits without running). Once the child has been waited for, the recorder is
// told so. Whoever removes the lab later ends every recorded child still
// alive first.
//
// The recorder is per thread and set for a scope (ScopedChildRecorder);
// without one, children are not recorded. Nothing here prints or exits.
#pragma once

#include <string>

#include "kernel/program_process.h"
#include "model/status.h"

namespace topo {

class ChildRecorder {
 public:
  virtual ~ChildRecorder() = default;
  // `child` exists and has not started its program: it starts it only when
  // this returns OK; an error ends it unrun (RunInNamespace then fails with
  // that error).
  virtual Status Started(const ProcessIdentity& child) = 0;
  // `child` was waited for: it is gone.
  virtual void Reaped(const ProcessIdentity& child) = 0;
};

// Makes `recorder` the calling thread's for its lifetime, then puts the
// previous one back.
class ScopedChildRecorder {
 public:
  explicit ScopedChildRecorder(ChildRecorder* recorder);
  ~ScopedChildRecorder();
  ScopedChildRecorder(const ScopedChildRecorder&) = delete;
  ScopedChildRecorder& operator=(const ScopedChildRecorder&) = delete;

 private:
  ChildRecorder* previous_;
};

// The calling thread's recorder, or null.
ChildRecorder* CurrentChildRecorder();

// Test-only (cli/test_hooks.h, TOPO_TEST_WRAP_PROGRAMS): every program
// RunInNamespace starts is started as WRAPPER PROGRAM ARGS... instead, so a
// test can make it slow or have it outlive topo. "" (the default): none.
void SetProgramWrapperForTests(const std::string& wrapper);
const std::string& ProgramWrapperForTests();

}  // namespace topo
