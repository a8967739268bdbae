#include "lab/actions.h"

#include <sstream>

#include "model/sysctl_aliases.h"

namespace topo {
namespace {

// What restoring a sysctl needs: its value, then, in the root namespace, a
// line "KEY=VALUE" for each key the kernel writes too when it changes
// (model/sysctl_aliases.h: every interface's forwarding), as they are now.
Status ReadSysctlNote(Backend& b, const Action& a, std::string* note) {
  if (Status s = b.ReadSysctl(a.ns, a.key(), note); !s.ok()) return s;
  if (!a.ns.empty() || PropagatedSysctlKeys(a.key(), {}).empty()) return Status::OK();
  NamespaceState host;
  if (Status s = b.Inspect(a.ns, &host); !s.ok()) return s;
  std::vector<std::string> interfaces;
  for (const InterfaceState& i : host.interfaces) interfaces.push_back(i.name);
  for (const std::string& key : PropagatedSysctlKeys(a.key(), interfaces)) {
    std::string value;
    if (b.ReadSysctl(a.ns, key, &value).ok()) *note += "\n" + key + "=" + value;
  }
  return Status::OK();
}

// Writes back what ReadSysctlNote read: the value (which the kernel
// propagates), then each propagated key as it was. An interface gone since is
// not an error; a line naming any other key (a tampered journal) is ignored.
Status RestoreSysctl(Backend& b, const Action& a, const std::string& note) {
  const size_t end = note.find('\n');
  std::string ignored;
  if (Status s = b.SetSysctl(a.ns, a.key(), note.substr(0, end), &ignored); !s.ok()) return s;
  if (end == std::string::npos) return Status::OK();
  std::istringstream lines(note.substr(end + 1));
  for (std::string line; std::getline(lines, line);) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos || !IsPropagatedSysctlKey(a.key(), line.substr(0, eq))) continue;
    Status s = b.SetSysctl(a.ns, line.substr(0, eq), line.substr(eq + 1), &ignored);
    if (!s.ok() && !s.IsNotFound()) return s;
  }
  return Status::OK();
}

}  // namespace

Status DoAction(Backend& b, const Action& a, std::string* note) {
  switch (a.kind) {
    case ActionKind::kCreateNamespace:
      return b.CreateNamespace(a.ns);
    case ActionKind::kCreateVeth:
      return b.CreateVeth(a.ns, a.ifname, a.peer_ns(), a.peer_ifname());
    case ActionKind::kSetMtu:
      return b.SetMtu(a.ns, a.ifname, a.mtu());
    case ActionKind::kSetMac:
      return b.SetMac(a.ns, a.ifname, a.mac());
    case ActionKind::kSetSysctl: {
      if (!a.ns.empty() || PropagatedSysctlKeys(a.key(), {}).empty()) {
        return b.SetSysctl(a.ns, a.key(), a.value(), note);
      }
      // The kernel is about to overwrite every interface's value: read them first.
      std::string before, previous;
      if (Status s = ReadSysctlNote(b, a, &before); !s.ok()) return s;
      Status s = b.SetSysctl(a.ns, a.key(), a.value(), &previous);
      if (s.ok()) *note = before;
      return s;
    }
    case ActionKind::kAddAddress:
      return b.AddAddress(a.ns, a.ifname, a.address());
    case ActionKind::kSetLinkUp:
      return b.SetLinkUp(a.ns, a.ifname, true);
    case ActionKind::kAddRoute:
      return b.AddRoute(a.ns, a.route());
    case ActionKind::kAddSnat:
      return b.AddSnat(a.ns, a.snat());
    case ActionKind::kAddFirewall:
      return b.AddFirewall(a.ns, a.firewall());
    case ActionKind::kCreateBridge:
      return b.CreateBridge(a.ns, a.ifname, a.stp(), a.vlan_filtering());
    case ActionKind::kCreateVlan:
      return b.CreateVlan(a.ns, a.ifname, a.parent(), a.vlan());
    case ActionKind::kCreateInterface:
      return b.CreateInterface(a.ns, a.ifname, a.virt());
    case ActionKind::kSetPortVlans:
      return b.SetPortVlans(a.ns, a.ifname, a.port_vlans());
    case ActionKind::kSetMaster:
      return b.SetMaster(a.ns, a.ifname, a.master());
    case ActionKind::kSetImpairment:
      return b.SetImpairment(a.ns, a.ifname, a.impairment());
    case ActionKind::kWriteEtcFile:
      return b.WriteEtcFile(a.ns, a.key(), a.value(), a.peer_ns(), note);
    case ActionKind::kMakeNodeDir:
    case ActionKind::kWriteNodeFile:
    case ActionKind::kStartProgram:
      return Status::InvalidArgument(Describe(a) + ": not a kernel action (see DoNodeAction)");
  }
  return Status::InvalidArgument("unknown action");
}

Status DoNodeAction(NodeRuntime* runtime, const Action& a) {
  if (!runtime) return Status::InvalidArgument("no runtime for the nodes' files");
  return a.kind == ActionKind::kMakeNodeDir ? runtime->MakeNodeDir(a) : runtime->WriteNodeFile(a);
}

Status PrepareAction(Backend& b, const Action& a, std::string* note) {
  note->clear();
  if (!a.ns.empty()) return Status::OK();  // a lab namespace: everything goes with it
  if (a.kind == ActionKind::kSetSysctl) return ReadSysctlNote(b, a, note);
  if (a.kind == ActionKind::kAddSnat) {
    // When nftables cannot say (iptables-legacy, no nf_tables), the table is
    // taken to exist: down then never tries to remove it.
    bool exists = true;
    if (b.NatTableExists(a.ns, SnatIsIpv6(a), &exists).ok() && !exists) *note = kNewNatTable;
    return Status::OK();
  }
  if (a.kind == ActionKind::kAddFirewall) {
    bool exists = true;
    Status s = b.TableExists(a.ns, a.firewall().family, a.firewall().table, &exists);
    if (s.ok() && !exists) *note = kNewTable;
    return Status::OK();
  }
  return Status::OK();
}

namespace {

// Deletes an action's rules through `del` (all or none). When some are
// missing (a crash during up may leave the action half-known, or someone
// removed a rule by hand), the others are deleted one by one: exactly the
// rules topo added, and no others.
template <typename Rule, typename Delete>
Status DeleteRules(const std::vector<Rule>& rules, Delete del) {
  Status s = del(rules);
  if (!s.IsNotFound() || rules.size() < 2) return s;
  bool any = false;
  for (const Rule& r : rules) {
    Status t = del(std::vector<Rule>{r});
    if (t.ok()) {
      any = true;
    } else if (!t.IsNotFound()) {
      return t;
    }
  }
  return any ? Status::OK() : s;
}

Status UndoSnat(Backend& b, const Action& a) {
  return DeleteRules(a.snat(),
                     [&](const std::vector<SnatSpec>& r) { return b.DeleteSnat(a.ns, r); });
}

Status UndoFirewall(Backend& b, const Action& a) {
  return DeleteRules(a.firewall().rules, [&](const std::vector<FirewallRuleSpec>& r) {
    FirewallSet set = a.firewall();
    set.rules = r;
    return b.DeleteFirewall(a.ns, set);
  });
}

}  // namespace

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
      return RestoreSysctl(b, a, note);
    }
    case ActionKind::kAddAddress:
      return b.DeleteAddress(a.ns, a.ifname, a.address());
    case ActionKind::kSetLinkUp:
      return b.SetLinkUp(a.ns, a.ifname, false);
    case ActionKind::kAddRoute:
      return b.DeleteRoute(a.ns, a.route());
    case ActionKind::kAddSnat: {
      Status s = UndoSnat(b, a);
      if (note == kNewNatTable && (s.ok() || s.IsNotFound())) {
        // The rules made the table: without them, it goes too (if nothing else is in it).
        if (Status t = b.RemoveNatTableIfEmpty(a.ns, SnatIsIpv6(a)); !t.ok()) return t;
      }
      return s;
    }
    case ActionKind::kAddFirewall: {
      Status s = UndoFirewall(b, a);
      if (note == kNewTable && (s.ok() || s.IsNotFound())) {
        const FirewallSet& f = a.firewall();
        if (Status t = b.RemoveTableIfEmpty(a.ns, f.family, f.table); !t.ok()) return t;
      }
      return s;
    }
    case ActionKind::kCreateBridge:
      return b.DeleteBridge(a.ns, a.ifname);
    case ActionKind::kCreateVlan:
      return b.DeleteVlan(a.ns, a.ifname);
    case ActionKind::kCreateInterface:
      return b.DeleteInterface(a.ns, a.ifname);
    case ActionKind::kSetPortVlans:
      return b.ClearPortVlans(a.ns, a.ifname, a.port_vlans());
    case ActionKind::kSetMaster:
      return b.SetMaster(a.ns, a.ifname, "");
    case ActionKind::kSetImpairment:
      return b.ClearImpairment(a.ns, a.ifname);
    case ActionKind::kWriteEtcFile:
      return b.RemoveEtcFile(a.ns, a.key(), note);
    case ActionKind::kMakeNodeDir:
    case ActionKind::kWriteNodeFile:
      // Kept under the lab's state directory, which goes with the lab's record.
      return Status::OK();
    case ActionKind::kStartProgram:
      return StopProgram(note, a.program().stop_timeout_ms);
  }
  return Status::InvalidArgument("unknown action");
}

}  // namespace topo
