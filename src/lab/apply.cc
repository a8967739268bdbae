#include "lab/apply.h"

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
    std::string note;
    Status s = DoAction(backend, a, &note);
    if (note.empty()) note = before;
    if (!s.ok()) {
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
    if (options.on_action) options.on_action(i, a);
  }
  if (result.status.ok()) {
    if (options.journal) result.status = options.journal->Complete();
    if (result.status.ok()) {
      result.notes = std::move(notes);
      return result;
    }
  }
  result.rolled_back = true;
  result.rollback = Teardown(plan, done, std::nullopt, notes, backend);
  return result;
}

}  // namespace topo
