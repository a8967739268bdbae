#include "cli/test_hooks.h"

#include <csignal>
#include <cstdlib>

#include "kernel/children.h"

namespace topo::cli {
namespace {

// TOPO_TEST_STOP_AFTER: SIGSTOP once `stop_after` actions are done (and
// journaled); TOPO_TEST_STOP_DOWN_AFTER: once `stop_after` inverses are.
class StopAfter : public LabObserver {
 public:
  StopAfter(LabObserver* next, size_t stop_after, ActionEvent::Step step)
      : next_(next), stop_after_(stop_after), step_(step) {}
  void OnAction(const ActionEvent& e) override {
    if (next_) next_->OnAction(e);
    if (e.step != step_ || !e.status.ok()) return;
    if (step_ == ActionEvent::Step::kApply ? e.index + 1 == stop_after_
                                           : e.performed && ++performed_ == stop_after_) {
      ::raise(SIGSTOP);
    }
  }

 private:
  LabObserver* next_;
  size_t stop_after_;
  ActionEvent::Step step_;
  size_t performed_ = 0;
};

size_t FromEnv(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::strtoul(v, nullptr, 10) : 0;
}

// Wraps `*observer` in a hook stopping after `n` events of `step` (one per process and step).
void Install(LabObserver** observer, size_t n, ActionEvent::Step step) {
  if (n == 0) return;
  static StopAfter apply(nullptr, 0, ActionEvent::Step::kApply);
  static StopAfter undo(nullptr, 0, ActionEvent::Step::kUndo);
  StopAfter& hook = step == ActionEvent::Step::kApply ? apply : undo;
  hook = StopAfter(*observer, n, step);
  *observer = &hook;
}

// TOPO_TEST_WRAP_PROGRAMS: the wrapper of every program RunInNamespace starts.
void InstallProgramWrapper() {
  const char* wrapper = std::getenv("TOPO_TEST_WRAP_PROGRAMS");
  if (wrapper && *wrapper == '/') SetProgramWrapperForTests(wrapper);
}

}  // namespace

void InstallTestHooks(BringUpOptions* options) {
  Install(&options->observer, FromEnv("TOPO_TEST_STOP_AFTER"), ActionEvent::Step::kApply);
  InstallProgramWrapper();
}

void InstallTestHooks(DownOptions* options) {
  Install(&options->observer, FromEnv("TOPO_TEST_STOP_DOWN_AFTER"), ActionEvent::Step::kUndo);
  InstallProgramWrapper();
}

void InstallTestHooks(SetLinkRequest* request) {
  if (FromEnv("TOPO_TEST_STOP_SET_LINK") == 0) return;
  request->after_journal = [] { ::raise(SIGSTOP); };
}

}  // namespace topo::cli
