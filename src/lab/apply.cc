#include "lab/apply.h"

#include <chrono>

namespace topo {

ApplyResult Apply(const Plan& plan, Backend& backend, const ApplyOptions& options) {
  ApplyResult result;
  std::vector<bool> done(plan.actions.size(), false);
  std::map<size_t, std::string> notes;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    if (options.cancel && options.cancel->load()) {
      result.status = Status::Interrupted("interrupted before " + Describe(a));
      break;
    }
    // What the inverse needs is journaled before the action when a crash
    // during it could otherwise lose it (root namespace sysctls and tables).
    std::string before;
    if (Status s = PrepareAction(backend, a, &before); !s.ok() || before.empty()) {
      if (!s.ok()) {
        result.status = Status::IOError(Describe(a) + ": " + s.message(), s.sys_errno());
        result.failed_index = i;
        break;
      }
    } else if (options.journal) {
      if (Status js = options.journal->Before(i, before); !js.ok()) {
        result.status = js;
        result.failed_index = i;
        break;
      }
    }
    // An action that removing its namespace does not undo (a file under
    // /etc/netns, anything in the root namespace) is found by a teardown after
    // a crash during it only as the first action the journal does not mark
    // done: the lines DoneLater kept go to disk first.
    if (options.journal && !a.UndoneByNamespaceRemoval()) {
      if (Status js = options.journal->Flush(); !js.ok()) {
        result.status = js;
        result.failed_index = i;
        break;
      }
    }
    std::string note;
    const auto start = std::chrono::steady_clock::now();
    Status s = DoAction(backend, a, &note);
    ActionEvent event;
    event.step = ActionEvent::Step::kApply;
    event.index = i;
    event.action = &a;
    event.status = s;
    event.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    event.handled = i + 1;
    event.total = plan.actions.size();
    if (note.empty()) note = before;
    if (!s.ok()) {
      if (options.observer) options.observer->OnAction(event);
      std::string msg = Describe(a) + ": " + s.message();
      result.status = s.IsAlreadyExists() ? Status::AlreadyExists(msg, s.sys_errno())
                      : s.IsNotFound()    ? Status::NotFound(msg, s.sys_errno())
                                          : Status::IOError(msg, s.sys_errno());
      result.failed_index = i;
      break;
    }
    done[i] = true;
    if (!note.empty()) notes[i] = note;
    ++result.applied;
    if (options.journal) {
      // What a namespace deletion undoes need not be on disk before the next
      // action: its namespace is, and teardown removes that (see state.h).
      Status js = a.UndoneByNamespaceRemoval() ? options.journal->DoneLater(i, note)
                                               : options.journal->Done(i, note);
      if (!js.ok()) {
        result.status = js;
        break;
      }
    }
    // Told once the action is journaled: an observer may stop the process here
    // (cli/test_hooks.h) and a crash test then finds it in the journal.
    if (options.observer) options.observer->OnAction(event);
  }
  if (result.status.ok()) {
    if (options.journal) result.status = options.journal->Complete();
    if (result.status.ok()) {
      result.notes = std::move(notes);
      return result;
    }
  }
  result.rolled_back = true;
  result.rollback = Teardown(plan, done, std::nullopt, notes, backend, options.observer);
  return result;
}

}  // namespace topo
