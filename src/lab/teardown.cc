#include "lab/teardown.h"

#include "lab/actions.h"

namespace topo {

TeardownReport Teardown(const Plan& plan, const std::vector<bool>& done,
                        std::optional<size_t> maybe_in_progress,
                        const std::map<size_t, std::string>& notes, Backend& backend,
                        const std::function<void(size_t, size_t)>& progress) {
  TeardownReport report;
  std::vector<bool> touched(plan.actions.size(), false);
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    touched[i] = (i < done.size() && done[i]) || (maybe_in_progress && *maybe_in_progress == i);
  }
  // What goes with the namespaces this teardown removes is not undone one by one.
  const std::vector<bool> moot = MootActions(plan, touched);
  for (size_t i = plan.actions.size(); i-- > 0;) {
    if (progress) progress(plan.actions.size() - i, plan.actions.size());
    if (!touched[i]) continue;
    const Action& a = plan.actions[i];
    if (moot[i]) {
      ++report.skipped;
      continue;
    }
    auto note = notes.find(i);
    Status s = UndoAction(backend, a, note == notes.end() ? "" : note->second);
    if (s.ok()) {
      ++report.undone;
    } else if (s.IsNotFound()) {
      report.already_gone.push_back(DescribeInverse(a));
    } else {
      report.errors.push_back(DescribeInverse(a) + ": " + s.message());
    }
  }
  return report;
}

}  // namespace topo
