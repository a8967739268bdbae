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
  // The namespaces this teardown removes: their processes end first, all at once.
  std::vector<std::string> namespaces;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    if (touched[i] && a.kind == ActionKind::kCreateNamespace && !a.ns.empty()) {
      namespaces.push_back(a.ns);
    }
  }
  bool processes_ended = namespaces.empty();
  for (size_t i = plan.actions.size(); i-- > 0;) {
    if (progress) progress(plan.actions.size() - i, plan.actions.size());
    if (!touched[i]) continue;
    const Action& a = plan.actions[i];
    if (a.kind == ActionKind::kCreateNamespace && !processes_ended) {
      processes_ended = true;
      Status s = backend.EndProcesses(namespaces, &report.ended_processes);
      if (!s.ok())
        report.errors.push_back("end the processes in the lab's namespaces: " + s.message());
    }
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
