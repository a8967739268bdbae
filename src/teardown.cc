#include "teardown.h"

#include <set>

#include "apply.h"

namespace topo {

TeardownReport Teardown(const Plan& plan, const std::vector<bool>& done,
                        std::optional<size_t> maybe_in_progress,
                        const std::map<size_t, std::string>& notes, Backend& backend,
                        const std::function<void(size_t, size_t)>& progress) {
  TeardownReport report;
  auto touched = [&](size_t i) {
    return (i < done.size() && done[i]) || (maybe_in_progress && *maybe_in_progress == i);
  };
  // The namespaces this teardown removes: everything inside them goes with them.
  std::set<std::string> removed;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    if (a.kind == ActionKind::kCreateNamespace && touched(i)) removed.insert(a.ns);
  }
  for (size_t i = plan.actions.size(); i-- > 0;) {
    if (progress) progress(plan.actions.size() - i, plan.actions.size());
    if (!touched(i)) continue;
    const Action& a = plan.actions[i];
    bool moot = a.MootAfterNamespaceRemoval() &&
                (removed.count(a.ns) || (!a.peer_ns.empty() && removed.count(a.peer_ns)));
    if (moot) {
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
