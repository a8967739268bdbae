#include "lab/lab.h"
#include <cstdio>

#include <algorithm>
#include <filesystem>
#include <set>
#include <unordered_map>

#include "lab/children.h"
#include "lab/node_runtime.h"
#include "model/diagnostic.h"
#include "model/sysctl_aliases.h"
#include "sandbox/sandbox.h"

namespace topo {
namespace {

// In a rootless sandbox the "root namespace" is the sandbox's own: a lab that
// attaches to the host (a node of kind root) needs the real root.
Status RefuseHostChanges(const Plan& plan) {
  if (!sandbox::InUserNamespace()) return Status::OK();
  for (const Action& a : plan.actions) {
    if (a.ns.empty() || (a.kind == ActionKind::kCreateVeth && a.peer_ns().empty())) {
      const std::string& node = a.ns.empty() ? a.node : a.peer_node();
      return Status::InvalidArgument(
          "cannot bring up lab '" + plan.lab + "' without root: node '" + node +
          "' is of kind root, which attaches the lab to the host and changes the host's "
          "interfaces, addresses, routes and firewall; a rootless lab lives in a sandbox that "
          "cannot touch the host (run topo as root for this lab); nothing was changed");
    }
  }
  return Status::OK();
}

// Releases the locks when `up` or `down` returns, whichever way.
struct LabLockRelease {
  StateStore& store;
  ~LabLockRelease() {
    store.Unlock();
    store.UnlockLab();
  }
};

}  // namespace

Status CheckCollisions(const Plan& plan, Backend& backend, const StateStore& store) {
  if (store.LabExists(plan.lab)) {
    return Status::AlreadyExists("lab '" + plan.lab + "' is already up (run `topo down " +
                                 plan.lab + "` first, or use --prefix for a second copy)");
  }
  std::vector<std::string> problems;
  const std::map<std::string, std::string> owners = store.NamespaceOwners(plan.lab);
  for (const std::string& ns : plan.namespaces) {
    if (auto owner = owners.find(ns); owner != owners.end()) {
      problems.push_back("namespace '" + ns + "' belongs to lab '" + owner->second + "'");
    } else if (backend.NamespaceExists(ns)) {
      problems.push_back("namespace '" + ns + "' already exists and was not created by topo");
    }
  }
  if (problems.empty()) {
    const std::vector<std::string> root = RootClashes(plan, backend, store);
    if (root.empty()) return Status::OK();
    std::string msg = "cannot bring up lab '" + plan.lab + "': ";
    for (size_t i = 0; i < root.size(); ++i) msg += (i ? "; " : "") + root[i];
    return Status::AlreadyExists(msg + "; nothing was changed");
  }
  std::string msg = "cannot bring up lab '" + plan.lab + "': " + problems[0];
  if (problems.size() > 1) {
    msg += " (and " + std::to_string(problems.size() - 1) + " more name clashes)";
  }
  msg += "; nothing was changed (use --prefix to run a second copy)";
  return Status::AlreadyExists(msg);
}

UpResult Up(const Plan& plan, Backend& backend, StateStore& store, const UpOptions& options) {
  UpResult r;
  r.status = RefuseHostChanges(plan);
  if (!r.status.ok()) return r;
  // The lab's own lock for the whole `up`; the store-wide one only while its
  // names are checked and registered.
  LabLockRelease release{store};
  r.status = store.Open();
  if (r.status.ok()) r.status = store.LockLab(plan.lab);
  if (r.status.ok()) r.status = store.Lock();
  if (!r.status.ok()) {
    r.status = Status::IOError(r.status.message() + "; nothing was changed", r.status.sys_errno());
    return r;
  }
  r.status = CheckCollisions(plan, backend, store);
  if (!r.status.ok()) return r;
  Journal journal;
  r.status = store.CreateLab(plan, &journal);
  store.Unlock();
  if (!r.status.ok()) {
    r.status = Status::IOError("cannot record lab '" + plan.lab + "' in " + store.dir() + ": " +
                               r.status.message() + "; nothing was changed");
    return r;
  }
  LocalNodeRuntime runtime(plan, store.LabDir(plan.lab));
  ApplyOptions ao;
  ao.runtime = &runtime;
  ao.journal = &journal;
  ao.cancel = options.cancel;
  ao.observer = options.observer;
  ao.before_programs = options.before_programs;
  SysctlOwners owners(SysctlOwners::DefaultDir(), store.dir(), plan.lab);
  ao.sysctl_owners = &owners;
  JournalChildren children(&journal);
  ScopedChildRecorder record_children(&children);
  r.apply = Apply(plan, backend, ao);
  r.status = r.apply.status;
  if (!r.status.ok() && r.apply.rolled_back && r.apply.rollback.ok()) {
    // Everything was undone: forget the lab (a second signal does not stop
    // that). If the rollback failed, the journal stays, so `topo down` can
    // finish the job.
    if (store.Lock(/*interruptible=*/false).ok()) store.RemoveLab(plan.lab);
    store.Unlock();
  }
  return r;
}

namespace {

// Whether namespace `ns` exists and may be the lab's: not another that took
// its name (its identity differs from the journaled one, or it is a symlink).
bool LabNamespaceExists(Backend& backend, const LabRecord& rec, const std::string& ns) {
  std::string id;
  if (!backend.NamespaceIdentity(ns, &id).ok()) return false;
  auto recorded = rec.namespace_ids.find(ns);
  return recorded == rec.namespace_ids.end() || recorded->second == id;
}

// A sound journal of an `up` that did not finish that does not record making
// a namespace which exists (and is no other's) was cut short: it says less
// than was done.
std::string CutShort(Backend& backend, const LabRecord& rec) {
  if (rec.complete || !rec.damage.empty()) return "";
  for (size_t i = 0; i < rec.plan.actions.size(); ++i) {
    const Action& a = rec.plan.actions[i];
    if (a.kind != ActionKind::kCreateNamespace || rec.done[i] || rec.maybe_in_progress == i) {
      continue;
    }
    if (LabNamespaceExists(backend, rec, a.ns)) {
      return "the journal ends before namespace '" + a.ns +
             "' was made, which exists: it was cut short";
    }
  }
  return "";
}

// What the record names that still exists and is the lab's (or cannot be told
// from it): while there is any, the record stays.
std::vector<std::string> Remains(Backend& backend, const LabRecord& rec,
                                 const TeardownReport& report) {
  std::vector<std::string> out;
  for (const std::string& ns : rec.plan.namespaces) {
    if (LabNamespaceExists(backend, rec, ns)) out.push_back("namespace '" + ns + "'");
  }
  for (const auto& [ifname, index] : rec.root_links) {
    int now = 0;
    if (backend.LinkIndex("", ifname, &now).ok() && now == index) {
      out.push_back("interface '" + ifname + "' of the host");
    }
  }
  out.insert(out.end(), report.unverified_left.begin(), report.unverified_left.end());
  return out;
}

}  // namespace

DownResult Down(const std::string& lab, Backend& backend, StateStore& store,
                const DownOptions& options) {
  DownResult r;
  LabLockRelease release{store};
  r.status = store.Open();
  if (r.status.ok() && StateStore::IsSafeLabName(lab)) r.status = store.LockLab(lab);
  if (!r.status.ok()) return r;
  // Cancelled while waiting for it (a signal that came before the wait began):
  // nothing has been removed yet. From here on, the removal finishes.
  if (options.cancel && options.cancel->load()) {
    r.status = Status::Interrupted("interrupted before lab '" + lab +
                                   "' was touched; nothing was removed");
    return r;
  }
  LabRecord rec;
  Status s = store.ReadLabForTeardown(lab, &rec, options.fallback_plan);
  const bool leftover =
      s.ok() && rec.registering &&
      std::none_of(rec.plan.namespaces.begin(), rec.plan.namespaces.end(),
                   [&](const std::string& ns) { return backend.NamespaceExists(ns); });
  if (s.IsNotFound() || leftover) {
    // Not up: nothing to do, but for what an `up` killed while registering the
    // lab (before touching the kernel) may have left: a directory without a plan.
    if (store.Lock(/*interruptible=*/false).ok()) store.RemoveLab(lab);
    store.Unlock();
    return r;
  }
  if (!s.ok()) {
    r.status = s;
    return r;
  }
  r.was_up = true;
  // A child an earlier topo ran for the lab may still be changing the machine
  // (an `up` killed while iptables-restore committed a rule): it ends first,
  // so that what it adds is there to be removed.
  if (Status cs = EndRecordedChildren(rec.children, kRecordedChildWaitMs, &r.ended_children);
      !cs.ok()) {
    r.status = Status::IOError("lab '" + lab + "': " + cs.message() +
                               " (a program an earlier topo ran for the lab); nothing was removed");
    return r;
  }
  // This `down`'s own children are journaled too, unless appending could
  // change what the journal says (a damaged one, or one whose last line is torn).
  Journal journal;
  const bool record = rec.damage.empty() && !rec.torn && store.OpenJournal(lab, &journal).ok();
  JournalChildren children(&journal);
  ScopedChildRecorder record_children(record ? &children : nullptr);
  // Undone in case they were done, with "already gone" no news: what a
  // journal cut at a line's end may not show.
  std::set<std::string> perhaps;
  if (std::string cut = CutShort(backend, rec); !cut.empty()) {
    rec.damage.push_back(cut);
    rec.done.assign(rec.plan.actions.size(), true);
    rec.maybe_in_progress.reset();
  } else if (!rec.complete && rec.damage.empty()) {
    // The files under /etc/netns/NS of the lab's namespaces: their names say
    // whose they are, and removing one that was never written finds nothing.
    for (size_t i = 0; i < rec.plan.actions.size(); ++i) {
      const Action& a = rec.plan.actions[i];
      if (a.kind == ActionKind::kWriteEtcFile && !rec.done[i] && rec.maybe_in_progress != i) {
        rec.done[i] = true;
        perhaps.insert(DescribeInverse(a));
      }
    }
  }
  r.was_complete = rec.complete;
  SysctlOwners owners(SysctlOwners::DefaultDir(), store.dir(), lab);
  r.damage = rec.damage;
  r.plan_known = rec.plan_known;
  IdentityCheck check;
  check.namespaces = rec.namespace_ids;
  check.root_links = rec.root_links;
  check.names_trusted = rec.damage.empty();
  r.report = Teardown(rec.plan, rec.done, rec.maybe_in_progress, rec.notes, backend,
                      options.observer, &owners, &check);
  r.report.skipped += rec.omitted;
  if (!rec.damage.empty()) {
    // Everything the plan names was tried: what was never made is no news.
    r.report.already_gone.clear();
  }
  std::erase_if(r.report.already_gone, [&](const std::string& g) { return perhaps.count(g) > 0; });
  r.remains = Remains(backend, rec, r.report);
  if (!r.report.ok()) {
    r.status = Status::IOError("could not remove all of lab '" + lab + "': " + r.report.errors[0]);
    return r;
  }
  if (!r.remains.empty()) {
    std::string list;
    for (const std::string& what : r.remains) list += (list.empty() ? "" : ", ") + what;
    r.status = Status::IOError("lab '" + lab + "' is not down: " + list +
                               " still exists; its record is kept (remove it, then run `topo "
                               "down " +
                               lab + "` again)");
    return r;
  }
  // The removal has begun: a signal no longer ends it (the store-wide lock is
  // held only for short sections).
  r.status = store.Lock(/*interruptible=*/false);
  if (r.status.ok()) r.status = store.RemoveLab(lab);
  store.Unlock();
  return r;
}

const char* ProgramStatus::StateName(State s) {
  switch (s) {
    case State::kNotStarted:
      return "not-started";
    case State::kRunning:
      return "running";
    case State::kExited:
      return "exited";
    case State::kKilled:
      return "killed";
    case State::kGone:
      return "gone";
  }
  return "?";
}

std::string ProgramStatus::Describe() const {
  switch (state) {
    case State::kNotStarted:
      return "not started";
    case State::kRunning:
      return "running (pid " + std::to_string(pid) + ")" + (ready ? "" : ", not ready");
    case State::kExited:
      return "exited with status " + std::to_string(code);
    case State::kKilled:
      return "killed by signal " + std::to_string(code);
    case State::kGone:
      return "gone";
  }
  return "?";
}

// Each declared program: running (its journaled identity still runs), or how it ended.
static std::vector<ProgramStatus> ProgramStatuses(const LabRecord& rec,
                                                  const std::string& lab_dir) {
  std::vector<ProgramStatus> out;
  for (size_t i = 0; i < rec.plan.actions.size(); ++i) {
    const Action& a = rec.plan.actions[i];
    if (a.kind != ActionKind::kStartProgram) continue;
    ProgramStatus p;
    p.node = a.node;
    p.name = a.program().name;
    p.ready = i < rec.done.size() && rec.done[i];
    auto note = rec.notes.find(i);
    ProcessIdentity id;
    if (note != rec.notes.end() && ProgramFromNote(note->second, &id)) {
      if (ProcessAlive(id)) {
        p.state = ProgramStatus::State::kRunning;
        p.pid = id.pid;
      } else {
        std::string how;
        ReadProgramExit(ProgramExitPath(lab_dir, a.node, a.program().name), &how);
        int code = 0;
        if (std::sscanf(how.c_str(), "exited %d", &code) == 1) {
          p.state = ProgramStatus::State::kExited;
          p.code = code;
        } else if (std::sscanf(how.c_str(), "signal %d", &code) == 1) {
          p.state = ProgramStatus::State::kKilled;
          p.code = code;
        } else {
          p.state = ProgramStatus::State::kGone;
        }
      }
    }
    out.push_back(p);
  }
  return out;
}

// A route's destination in its namespace, as RouteState::Matches compares it.
static std::string RouteKey(const std::string& ns, int family, const std::optional<Prefix>& to) {
  return ns + " " + std::to_string(family) + " " + (to ? to->Network().ToString() : "default");
}

// The kernel's routes of each namespace by destination: a route of the plan
// is looked for among those to its destination only, not among all of its
// namespace's (a router of a big lab has thousands).
class RouteIndex {
 public:
  void Add(const std::string& ns, const NamespaceState& state) {
    for (const RouteState& r : state.routes) by_key_[RouteKey(ns, r.family, r.to)].push_back(&r);
  }
  bool Has(const std::string& ns, const RouteSpec& spec) const {
    auto it = by_key_.find(RouteKey(ns, spec.family, spec.to));
    if (it == by_key_.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const RouteState* r) { return r->Matches(spec); });
  }

 private:
  std::unordered_map<std::string, std::vector<const RouteState*>> by_key_;
};

// Drift of a firewall action: each of its policies that is another now, each
// of its rules that is gone.
static void AddDriftOfFirewall(Backend& backend, const Action& a, const std::string& where,
                               std::vector<std::string>* drift) {
  const FirewallSet& set = a.firewall();
  for (const FirewallPolicy& p : set.policies) {
    std::string have;
    Status s = backend.ReadFirewallPolicy(a.ns, set.family, p.chain, &have);
    const std::string what = (set.family == 6 ? "ip6" : "ip") + std::string(" policy of chain ") +
                             p.chain + " in " + where;
    if (!s.ok()) {
      drift->push_back(what + " cannot be read: " + s.message());
    } else if (have != p.action) {
      drift->push_back(what + " is " + have + ", not " + p.action);
    }
  }
  for (const FirewallRuleSpec& rule : a.firewall().rules) {
    bool present = true;
    Status s = backend.HasFirewallRule(a.ns, rule, &present);
    const std::string what =
        (rule.table() == "nat" ? "forward " : "firewall rule ") + rule.ToString() + " in " + where;
    if (!s.ok()) {
      drift->push_back(what + " cannot be read: " + s.message());
    } else if (!present) {
      drift->push_back(what + " is gone");
    }
  }
}

// A switch port whose VLANs the kernel reports otherwise than the plan set them.
static void AddPortVlanDrift(Backend& backend, const Action& a, std::vector<std::string>* drift) {
  const std::string where = "'" + NamespaceLabel(a.ns) + ":" + a.ifname + "'";
  PortVlans want = a.port_vlans(), have;
  std::sort(want.tagged.begin(), want.tagged.end());
  if (Status s = backend.ReadPortVlans(a.ns, a.ifname, &have); !s.ok()) {
    drift->push_back("the VLANs of port " + where + " cannot be read: " + s.message());
  } else if (!(have == want)) {
    drift->push_back("port " + where + " carries " +
                     (have.empty() ? std::string("no VLAN") : have.ToString()) + ", not " +
                     want.ToString());
  }
}

// Drift of what is not an interface's own state: sysctls, SNAT and firewall rules, and the
// qdiscs of every interface the lab made, as the kernel reports them.
template <typename FindNs, typename FindIf>
static void AddDriftOfSettings(const LabRecord& rec, Backend& backend, FindNs find_ns,
                               FindIf find_if, const std::map<std::string, Impairment>& impairments,
                               const std::string& pending, std::vector<std::string>* drift) {
  for (size_t i = 0; i < rec.plan.actions.size(); ++i) {
    if (!rec.done[i]) continue;
    const Action& a = rec.plan.actions[i];
    if (!find_ns(a.ns)) continue;
    const std::string where = "'" + NamespaceLabel(a.ns) + "'";
    if (a.kind == ActionKind::kSetSysctl) {
      std::string value;
      Status s = backend.ReadSysctl(a.ns, a.key(), &value);
      if (!s.ok()) {
        drift->push_back("sysctl " + a.key() + " in " + where + " cannot be read: " + s.message());
      } else if (CollapseSysctlValue(value) != CollapseSysctlValue(a.value())) {
        drift->push_back("sysctl " + a.key() + " in " + where + " is " +
                         CollapseSysctlValue(value) + ", not " + a.value());
      }
    } else if (a.kind == ActionKind::kAddSnat) {
      for (const SnatSpec& rule : a.snat()) {
        bool present = true;
        Status s = backend.HasSnat(a.ns, rule, &present);
        if (!s.ok()) {
          drift->push_back("snat rule " + rule.ToString() + " in " + where +
                           " cannot be read: " + s.message());
        } else if (!present) {
          drift->push_back("snat rule " + rule.ToString() + " in " + where + " is gone");
        }
      }
    } else if (a.kind == ActionKind::kAddFirewall) {
      AddDriftOfFirewall(backend, a, where, drift);
    } else if (a.kind == ActionKind::kSetPortVlans && find_if(a.ns, a.ifname)) {
      AddPortVlanDrift(backend, a, drift);
    } else if (a.kind == ActionKind::kCreateVeth) {
      for (auto [ns, ifname] :
           {std::pair{a.ns, a.ifname}, std::pair{a.peer_ns(), a.peer_ifname()}}) {
        const InterfaceState* itf = find_if(ns, ifname);
        // An unfinished set-link is drift of its own (reported once, below).
        if (!itf || ns + ":" + ifname == pending) continue;
        auto planned = impairments.find(ns + ":" + ifname);
        const Impairment want = planned == impairments.end() ? Impairment{} : planned->second;
        if (!ImpairmentsMatch(want, itf->impairment)) {
          drift->push_back("interface '" + NamespaceLabel(ns) + ":" + ifname + "' is impaired " +
                           itf->impairment.ToString() + ", not " + want.ToString());
        } else if (want.IsNone() && (itf->qdisc == "netem" || itf->qdisc == "tbf")) {
          drift->push_back("interface '" + NamespaceLabel(ns) + ":" + ifname + "' has a " +
                           itf->qdisc + " qdisc the lab did not add");
        }
      }
    }
  }
}

Status GetLabStatus(const std::string& lab, Backend& backend, const StateStore& store,
                    LabStatus* out) {
  LabRecord rec;
  Status s = store.ReadLab(lab, &rec);
  if (!s.ok()) return s;
  LabStatus st;
  st.lab = lab;
  st.complete = rec.complete;
  st.plan = rec.plan;
  for (const std::string& ns : rec.plan.namespaces) {
    NamespaceState ns_state;
    s = backend.Inspect(ns, &ns_state);
    if (!s.ok()) return s;
    ns_state.name = ns;
    if (!ns_state.exists) st.drift.push_back("namespace '" + ns + "' is gone");
    st.namespaces.push_back(std::move(ns_state));
  }
  // The host's side of a lab attached to it (a node of kind root): its
  // objects are checked too, though the host's namespace is not listed.
  NamespaceState root;
  const bool attached =
      std::any_of(rec.plan.actions.begin(), rec.plan.actions.end(), [](const Action& a) {
        return a.ns.empty() || (a.kind == ActionKind::kCreateVeth && a.peer_ns().empty());
      });
  if (attached) {
    if (s = backend.Inspect("", &root); !s.ok()) return s;
    root.exists = true;
  }
  // Interfaces and addresses the plan made that the kernel no longer has.
  // Both lookups are hashed: a star of N hosts asks N times about the
  // router's N interfaces.
  std::unordered_map<std::string, const NamespaceState*> by_name;
  std::unordered_map<std::string, const InterfaceState*> by_interface;  // "ns:ifname"
  if (attached) by_name.emplace("", &root);
  for (const NamespaceState& n : st.namespaces)
    if (n.exists) by_name.emplace(n.name, &n);
  RouteIndex routes;
  for (const auto& [name, n] : by_name) {
    for (const InterfaceState& i : n->interfaces) by_interface.emplace(name + ":" + i.name, &i);
    routes.Add(name, *n);
  }
  auto find_ns = [&](const std::string& ns) -> const NamespaceState* {
    auto it = by_name.find(ns);
    return it == by_name.end() ? nullptr : it->second;
  };
  auto find_if = [&](const std::string& ns, const std::string& ifname) -> const InterfaceState* {
    auto it = by_interface.find(ns + ":" + ifname);
    return it == by_interface.end() ? nullptr : it->second;
  };
  for (size_t i = 0; i < rec.plan.actions.size(); ++i) {
    if (!rec.done[i]) continue;
    const Action& a = rec.plan.actions[i];
    if (a.kind == ActionKind::kCreateVeth) {
      for (auto [ns, ifname] :
           {std::pair{a.ns, a.ifname}, std::pair{a.peer_ns(), a.peer_ifname()}}) {
        if (find_ns(ns) && !find_if(ns, ifname)) {
          st.drift.push_back("interface '" + NamespaceLabel(ns) + ":" + ifname + "' is gone");
        }
      }
    } else if (a.kind == ActionKind::kCreateVlan || a.kind == ActionKind::kCreateInterface) {
      // A sub-interface or an interface of a kind: present, and of its kind.
      const std::string want =
          a.kind == ActionKind::kCreateVlan ? "vlan" : IfKindName(a.virt().kind);
      const InterfaceState* itf = find_ns(a.ns) ? find_if(a.ns, a.ifname) : nullptr;
      if (find_ns(a.ns) && !itf) {
        st.drift.push_back("interface '" + NamespaceLabel(a.ns) + ":" + a.ifname + "' is gone");
      } else if (itf && !itf->kind.empty() && itf->kind != want) {
        st.drift.push_back("interface '" + NamespaceLabel(a.ns) + ":" + a.ifname + "' is a " +
                           itf->kind + ", not a " + want);
      }
    } else if (a.kind == ActionKind::kAddAddress) {
      const InterfaceState* itf = find_if(a.ns, a.ifname);
      if (!itf) continue;
      bool found = false;
      for (const std::string& addr : itf->addresses)
        found = found || addr == a.address().ToString();
      if (!found) {
        st.drift.push_back("address " + a.address().ToString() + " on '" + NamespaceLabel(a.ns) +
                           ":" + a.ifname + "' is gone");
      }
    } else if (a.kind == ActionKind::kSetLinkUp) {
      const InterfaceState* itf = find_if(a.ns, a.ifname);
      if (itf && !itf->up)
        st.drift.push_back("interface '" + NamespaceLabel(a.ns) + ":" + a.ifname + "' is down");
    } else if (a.kind == ActionKind::kSetMtu) {
      const InterfaceState* itf = find_if(a.ns, a.ifname);
      if (itf && itf->mtu != a.mtu()) {
        st.drift.push_back("interface '" + NamespaceLabel(a.ns) + ":" + a.ifname + "' has mtu " +
                           std::to_string(itf->mtu) + ", not " + std::to_string(a.mtu()));
      }
    } else if (a.kind == ActionKind::kSetMac) {
      const InterfaceState* itf = find_if(a.ns, a.ifname);
      if (itf && itf->mac != a.mac().ToString()) {
        st.drift.push_back("interface '" + NamespaceLabel(a.ns) + ":" + a.ifname + "' has mac " +
                           itf->mac + ", not " + a.mac().ToString());
      }
    } else if (a.kind == ActionKind::kAddRoute) {
      if (find_ns(a.ns) && !routes.Has(a.ns, a.route())) {
        st.drift.push_back("route " + a.route().DestinationString() +
                           (a.route().via ? " via " + a.route().via->ToString() : "") + " in '" +
                           NamespaceLabel(a.ns) + "' is gone");
      }
    }
  }
  st.impairments = rec.Impairments();
  st.programs = ProgramStatuses(rec, store.LabDir(lab));
  // A declared program runs as long as its lab is up: one that ended is drift.
  for (const ProgramStatus& p : st.programs) {
    const bool ended = p.state == ProgramStatus::State::kExited ||
                       p.state == ProgramStatus::State::kKilled ||
                       p.state == ProgramStatus::State::kGone;
    if (rec.complete && ended) {
      st.drift.push_back("program '" + p.node + "/" + p.name + "' " + p.Describe());
    }
  }
  const bool pending =
      !rec.link_changes.empty() && rec.link_changes.back().state == LinkChange::State::kPending;
  AddDriftOfSettings(
      rec, backend, find_ns, find_if, st.impairments,
      pending ? rec.link_changes.back().ns + ":" + rec.link_changes.back().ifname : std::string(),
      &st.drift);
  if (pending) {
    const LinkChange& c = rec.link_changes.back();
    st.drift.push_back("a set-link of '" + c.node + ":" + c.ifname +
                       "' did not finish (to make it " + c.impairment.ToString() +
                       "); run it again");
  }
  *out = std::move(st);
  return Status::OK();
}

Status FindNodeNamespace(const StateStore& store, const std::string& lab, const std::string& node,
                         std::string* lab_out, std::string* ns_out,
                         const std::optional<std::string>& prefix, std::string* node_out) {
  std::vector<std::string> labs = lab.empty() ? store.ListLabs() : std::vector<std::string>{lab};
  std::vector<std::pair<std::string, std::string>> found;
  std::string found_node;
  std::vector<std::string> all_nodes;
  for (const std::string& l : labs) {
    LabRecord rec;
    Status s = store.ReadLab(l, &rec);
    if (!s.ok()) {
      if (!lab.empty()) return s;
      continue;
    }
    if (prefix && rec.plan.prefix != *prefix) continue;
    bool root_found = false;
    for (const Action& a : rec.plan.actions) {
      // The root node (the host) has no namespace of its own: its actions have ns "".
      const bool root_end =
          (a.node == node && a.ns.empty()) ||
          (a.kind == ActionKind::kCreateVeth && a.peer_node() == node && a.peer_ns().empty());
      if (!root_found && !node.empty() && root_end) {
        root_found = true;
        found.emplace_back(l, "");
        found_node = a.node;
      }
      if (a.kind != ActionKind::kCreateNamespace) continue;
      all_nodes.push_back(a.node);
      if (a.node == node || a.ns == node) {
        found.emplace_back(l, a.ns);
        found_node = a.node;
      }
    }
  }
  if (found.empty()) {
    if (labs.empty()) return Status::NotFound("no lab is up");
    std::string where = lab.empty() ? "any lab that is up" : "lab '" + lab + "'";
    return Status::NotFound("no node '" + node + "' in " + where + DidYouMean(node, all_nodes));
  }
  if (found.size() > 1) {
    std::string names;
    for (const auto& f : found) names += (names.empty() ? "" : ", ") + f.first;
    return Status::InvalidArgument("node '" + node + "' is in several labs (" + names +
                                   "); choose one with --lab");
  }
  *lab_out = found[0].first;
  *ns_out = found[0].second;
  if (node_out) *node_out = found_node;
  return Status::OK();
}

std::vector<std::string> LabsFromFile(const StateStore& store, const std::string& topology,
                                      const std::string& file) {
  std::vector<std::string> out;
  for (const std::string& l : store.ListLabs()) {
    LabRecord rec;
    if (!store.ReadLab(l, &rec).ok() || rec.plan.topology != topology) continue;
    std::error_code ec;
    const bool recorded_exists = std::filesystem::exists(rec.plan.source_file, ec);
    if (recorded_exists && !std::filesystem::equivalent(rec.plan.source_file, file, ec)) continue;
    out.push_back(l);
  }
  return out;
}

}  // namespace topo
