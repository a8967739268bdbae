#include "cli/test_hooks.h"

#include <csignal>
#include <cstdlib>

namespace topo::cli {
namespace {

// TOPO_TEST_STOP_AFTER: SIGSTOP once `stop_after` actions are done (and journaled).
class StopAfter : public LabObserver {
 public:
  StopAfter(LabObserver* next, size_t stop_after) : next_(next), stop_after_(stop_after) {}
  void OnAction(const ActionEvent& e) override {
    if (next_) next_->OnAction(e);
    if (e.step == ActionEvent::Step::kApply && e.status.ok() && e.index + 1 == stop_after_) {
      ::raise(SIGSTOP);
    }
  }

 private:
  LabObserver* next_;
  size_t stop_after_;
};

}  // namespace

void InstallTestHooks(BringUpOptions* options) {
  const char* stop = std::getenv("TOPO_TEST_STOP_AFTER");
  const size_t stop_after = stop ? std::strtoul(stop, nullptr, 10) : 0;
  if (stop_after == 0) return;
  static StopAfter hook(nullptr, 0);  // one `up` per process
  hook = StopAfter(options->observer, stop_after);
  options->observer = &hook;
}

}  // namespace topo::cli
