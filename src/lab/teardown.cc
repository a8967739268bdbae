#include "lab/teardown.h"

#include <chrono>

#include "lab/actions.h"
#include "lab/node_runtime.h"

namespace topo {

TeardownReport Teardown(const Plan& plan, const std::vector<bool>& done,
                        std::optional<size_t> maybe_in_progress,
                        const std::map<size_t, std::string>& notes, Backend& backend,
                        LabObserver* observer, SysctlOwners* sysctl_owners) {
  TeardownReport report;
  std::vector<bool> touched(plan.actions.size(), false);
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    touched[i] = (i < done.size() && done[i]) || (maybe_in_progress && *maybe_in_progress == i);
    // A program whose identity was journaled may run though it never got ready.
    if (plan.actions[i].kind == ActionKind::kStartProgram && notes.count(i)) touched[i] = true;
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
  // The declared programs stop first, all at once, signalled in reverse order.
  std::map<size_t, Status> stopped;
  {
    std::vector<size_t> which;
    std::vector<std::string> ids;
    std::vector<int> timeouts;
    for (size_t i = plan.actions.size(); i-- > 0;) {
      const Action& a = plan.actions[i];
      if (a.kind != ActionKind::kStartProgram || !touched[i] || moot[i]) continue;
      auto note = notes.find(i);
      which.push_back(i);
      ids.push_back(note == notes.end() ? "" : note->second);
      timeouts.push_back(a.program.stop_timeout_ms);
    }
    if (!which.empty()) {
      std::vector<Status> results = StopPrograms(ids, timeouts);
      for (size_t k = 0; k < which.size(); ++k) stopped[which[k]] = results[k];
    }
  }
  bool processes_ended = namespaces.empty();
  for (size_t i = plan.actions.size(); i-- > 0;) {
    const Action& a = plan.actions[i];
    if (a.kind == ActionKind::kCreateNamespace && touched[i] && !processes_ended) {
      processes_ended = true;
      Status s = backend.EndProcesses(namespaces, &report.ended_processes);
      if (!s.ok()) {
        report.errors.push_back("end the processes in the lab's namespaces: " + s.message());
      }
    }
    ActionEvent e;
    e.step = ActionEvent::Step::kUndo;
    e.index = i;
    e.action = &a;
    e.handled = plan.actions.size() - i;
    e.total = plan.actions.size();
    e.performed = touched[i] && !moot[i];
    if (!e.performed) {
      if (observer) observer->OnAction(e);
      if (touched[i]) ++report.skipped;
      continue;
    }
    auto note = notes.find(i);
    const auto start = std::chrono::steady_clock::now();
    auto stop = stopped.find(i);
    const std::string journaled = note == notes.end() ? "" : note->second;
    Status s;
    if (stop != stopped.end()) {
      s = stop->second;
    } else if (sysctl_owners && SysctlOwners::Counts(a)) {
      bool restored = false;
      s = sysctl_owners->Release(
          a, journaled,
          [&](const std::string& original) { return UndoAction(backend, a, original); }, &restored);
    } else {
      s = UndoAction(backend, a, journaled);
    }
    if (observer) {
      e.status = s;
      e.duration = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - start);
      observer->OnAction(e);
    }
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
