#include "lab/teardown.h"

#include <chrono>
#include <set>

#include "lab/actions.h"
#include "lab/node_runtime.h"

namespace topo {

namespace {

bool MakesInterface(const Action& a) {
  return a.kind == ActionKind::kCreateVeth || a.kind == ActionKind::kCreateVlan ||
         a.kind == ActionKind::kCreateBridge;
}

// The names whose objects are not the lab's now: namespaces, and interfaces
// of the root namespace. One identity look-up per namespace and per root
// interface the lab made.
struct Foreign {
  std::set<std::string> namespaces;
  std::set<std::string> root_links;
  // Whether teardown must leave `a` alone: it lives in what is not the lab's.
  // (The lab's files under /etc/netns/NS and its programs, known by their own
  // notes, are still the lab's.)
  bool Holds(const Action& a) const {
    if (a.kind != ActionKind::kCreateNamespace && !a.MootAfterNamespaceRemoval()) return false;
    if (!a.ns.empty()) return namespaces.count(a.ns) > 0;
    return !a.ifname.empty() && root_links.count(a.ifname) > 0;
  }
};

Foreign CheckIdentities(const Plan& plan, const std::vector<bool>& touched,
                        const IdentityCheck& check, Backend& backend, TeardownReport* report) {
  Foreign foreign;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    if (!touched[i]) continue;
    if (a.kind == ActionKind::kCreateNamespace && !a.ns.empty()) {
      std::string id;
      Status s = backend.NamespaceIdentity(a.ns, &id);
      if (s.IsNotFound()) continue;  // gone: teardown says so
      auto recorded = check.namespaces.find(a.ns);
      if (!s.ok()) {
        foreign.namespaces.insert(a.ns);
        report->not_ours.push_back("namespace '" + a.ns + "': " + s.message() + "; left as it is");
      } else if (recorded == check.namespaces.end()) {
        report->unverified.push_back("namespace '" + a.ns + "'");
      } else if (recorded->second != id) {
        foreign.namespaces.insert(a.ns);
        report->not_ours.push_back("namespace '" + a.ns +
                                   "' is not the lab's: another namespace has its name (inode " +
                                   id + ", the lab's was " + recorded->second + "); left as it is");
      }
    } else if (MakesInterface(a)) {
      // The end in the root namespace: deleted by its name when a.ns is "";
      // a veth's peer there goes with the lab's end, but what is set on it
      // by name (addresses) must not reach another interface.
      const bool deleted_by_name = a.ns.empty();
      const std::string& ifname = deleted_by_name ? a.ifname : a.peer_ifname();
      if (!deleted_by_name && !(a.kind == ActionKind::kCreateVeth && a.peer_ns().empty())) continue;
      int index = 0;
      if (!backend.LinkIndex("", ifname, &index).ok()) continue;  // gone, or the undo says
      auto recorded = check.root_links.find(ifname);
      if (recorded == check.root_links.end()) {
        if (!deleted_by_name) continue;
        if (check.names_trusted) {
          report->unverified.push_back("interface '" + ifname + "' of the host");
        } else {
          foreign.root_links.insert(ifname);
          report->unverified_left.push_back("interface '" + ifname + "' of the host");
        }
      } else if (recorded->second != index) {
        foreign.root_links.insert(ifname);
        report->not_ours.push_back("interface '" + ifname +
                                   "' of the host is not the lab's: another interface has its "
                                   "name (ifindex " +
                                   std::to_string(index) + ", the lab's was " +
                                   std::to_string(recorded->second) + "); left as it is");
      }
    }
  }
  return foreign;
}

}  // namespace

TeardownReport Teardown(const Plan& plan, const std::vector<bool>& done,
                        std::optional<size_t> maybe_in_progress,
                        const std::map<size_t, std::string>& notes, Backend& backend,
                        LabObserver* observer, SysctlOwners* sysctl_owners,
                        const IdentityCheck* check) {
  TeardownReport report;
  std::vector<bool> touched(plan.actions.size(), false);
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    touched[i] = (i < done.size() && done[i]) || (maybe_in_progress && *maybe_in_progress == i);
    // A program whose identity was journaled may run though it never got ready.
    if (plan.actions[i].kind == ActionKind::kStartProgram && notes.count(i)) touched[i] = true;
  }
  // What is not the lab's any more is left alone, and so is everything in it.
  const Foreign foreign =
      check ? CheckIdentities(plan, touched, *check, backend, &report) : Foreign{};
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    if (touched[i] && foreign.Holds(plan.actions[i])) touched[i] = false;
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
      timeouts.push_back(a.program().stop_timeout_ms);
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
