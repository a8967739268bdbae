#include "lab/apply.h"

#include <chrono>

#include "lab/programs.h"

namespace topo {
namespace {

// Journals the identity of what `a` made, for teardown to check before it
// removes anything of that name (lab/teardown.h): a namespace's inode, and
// the ifindex of an interface made in the root namespace. Nothing is
// journaled when the kernel cannot say: teardown then goes by the name.
void JournalIdentity(Backend& b, const Action& a, Journal* journal) {
  if (a.kind == ActionKind::kCreateNamespace) {
    std::string id;
    if (b.NamespaceIdentity(a.ns, &id).ok()) journal->NamespaceMade(a.ns, id);
    return;
  }
  const bool makes_interface = a.kind == ActionKind::kCreateVeth ||
                               a.kind == ActionKind::kCreateVlan ||
                               a.kind == ActionKind::kCreateBridge;
  if (!makes_interface) return;
  int index = 0;
  if (a.ns.empty() && b.LinkIndex("", a.ifname, &index).ok())
    journal->RootLinkMade(a.ifname, index);
  if (a.kind == ActionKind::kCreateVeth && a.peer_ns().empty() &&
      b.LinkIndex("", a.peer_ifname(), &index).ok()) {
    journal->RootLinkMade(a.peer_ifname(), index);
  }
}

}  // namespace

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
    if (a.kind == ActionKind::kStartProgram) {
      // The programs, together: every one up to the next action of another kind.
      std::vector<size_t> indices;
      for (size_t k = i; k < plan.actions.size() && plan.actions[k].kind == a.kind; ++k) {
        indices.push_back(k);
      }
      if (!options.runtime) {
        result.status = Status::InvalidArgument(Describe(a) + ": no runtime to start programs");
        result.failed_index = i;
        break;
      }
      if (options.before_programs) {
        if (Status s = options.before_programs(plan); !s.ok()) {
          result.status = s;
          result.failed_index = i;
          break;
        }
      }
      if (options.journal) options.journal->Flush();
      ProgramsOptions po;
      po.journal = options.journal;
      po.cancel = options.cancel;
      po.observer = options.observer;
      po.handled_before = i;
      ProgramsResult pr = RunPrograms(plan, indices, *options.runtime, po);
      // A started program is undone (stopped) by a rollback, ready or not.
      for (const auto& [index, note] : pr.started) {
        done[index] = true;
        notes[index] = note;
      }
      result.applied += pr.ready.size();
      if (!pr.status.ok()) {
        result.status = pr.status;
        result.failed_index = pr.failed_index;
        break;
      }
      i = indices.back();
      continue;
    }
    // What the inverse needs is journaled before the action when a crash
    // during it could otherwise lose it (root namespace sysctls and tables).
    std::string before;
    Status prepared = PrepareAction(backend, a, &before);
    if (prepared.ok() && options.sysctl_owners && SysctlOwners::Counts(a)) {
      // Another lab may own the setting already: then its original is ours.
      prepared = options.sysctl_owners->Claim(a, before, &before);
    }
    if (Status s = prepared; !s.ok() || before.empty()) {
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
    Status s = a.kind == ActionKind::kMakeNodeDir || a.kind == ActionKind::kWriteNodeFile
                   ? DoNodeAction(options.runtime, a)
                   : DoAction(backend, a, &note);
    ActionEvent event;
    event.step = ActionEvent::Step::kApply;
    event.index = i;
    event.action = &a;
    event.status = s;
    event.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    event.handled = i + 1;
    event.total = plan.actions.size();
    if (note.empty() || (options.sysctl_owners && SysctlOwners::Counts(a))) note = before;
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
      JournalIdentity(backend, a, options.journal);
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
  result.rollback =
      Teardown(plan, done, std::nullopt, notes, backend, options.observer, options.sysctl_owners);
  return result;
}

}  // namespace topo
