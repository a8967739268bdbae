#include "apply.h"

namespace topo {

Status DoAction(Backend& b, const Action& a, std::string* note) {
  switch (a.kind) {
    case ActionKind::kCreateNamespace:
      return b.CreateNamespace(a.ns);
    case ActionKind::kCreateVeth:
      return b.CreateVeth(a.ns, a.ifname, a.peer_ns, a.peer_ifname);
    case ActionKind::kSetMtu:
      return b.SetMtu(a.ns, a.ifname, a.mtu);
    case ActionKind::kSetMac:
      return b.SetMac(a.ns, a.ifname, a.mac);
    case ActionKind::kSetSysctl:
      return b.SetSysctl(a.ns, a.key, a.value, note);
    case ActionKind::kAddAddress:
      return b.AddAddress(a.ns, a.ifname, a.address);
    case ActionKind::kSetLinkUp:
      return b.SetLinkUp(a.ns, a.ifname, true);
    case ActionKind::kAddRoute:
      return b.AddRoute(a.ns, a.route);
    case ActionKind::kAddSnat:
      return b.ApplyIptables(a.ns, SnatIsIpv6(a), SnatRestoreInput(a, false));
  }
  return Status::InvalidArgument("unknown action");
}

Status UndoAction(Backend& b, const Action& a, const std::string& note) {
  switch (a.kind) {
    case ActionKind::kCreateNamespace:
      return b.DeleteNamespace(a.ns);
    case ActionKind::kCreateVeth:
      return b.DeleteVeth(a.ns, a.ifname);
    case ActionKind::kSetMtu:
    case ActionKind::kSetMac:
      // Only ever applied to interfaces the lab created: they go with the interface.
      return Status::OK();
    case ActionKind::kSetSysctl: {
      if (note.empty()) return Status::OK();  // the old value was never read
      std::string ignored;
      return b.SetSysctl(a.ns, a.key, note, &ignored);
    }
    case ActionKind::kAddAddress:
      return b.DeleteAddress(a.ns, a.ifname, a.address);
    case ActionKind::kSetLinkUp:
      return b.SetLinkUp(a.ns, a.ifname, false);
    case ActionKind::kAddRoute:
      return b.DeleteRoute(a.ns, a.route);
    case ActionKind::kAddSnat:
      return b.ApplyIptables(a.ns, SnatIsIpv6(a), SnatRestoreInput(a, true));
  }
  return Status::InvalidArgument("unknown action");
}

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
    std::string note;
    Status s = DoAction(backend, a, &note);
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
      Status js = a.MootAfterNamespaceRemoval() ? options.journal->DoneLater(i, note)
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
    if (result.status.ok()) return result;
  }
  result.rolled_back = true;
  result.rollback = Teardown(plan, done, std::nullopt, notes, backend);
  return result;
}

}  // namespace topo
