// MootActions (plan.h): which inverses teardown may skip because removing the
// lab's namespaces does their work. Shared by Teardown and the teardown script.
#include <set>
#include <utility>

#include "plan/plan.h"

namespace topo {

std::vector<bool> MootActions(const Plan& plan, const std::vector<bool>& touched) {
  auto is_touched = [&](size_t i) { return i < touched.size() && touched[i]; };
  std::set<std::string> removed;  // the lab namespaces that go
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    if (a.kind == ActionKind::kCreateNamespace && is_touched(i)) removed.insert(a.ns);
  }
  // Root namespace ends of the lab's veth pairs: teardown deletes each pair
  // (explicitly: a namespace is freed in the background, and the host end
  // would linger for a moment after `down`), and what is set on it goes too.
  std::set<std::pair<std::string, std::string>> vanishing;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    if (a.kind != ActionKind::kCreateVeth || !is_touched(i)) continue;
    vanishing.emplace(a.ns, a.ifname);
    vanishing.emplace(a.peer_ns(), a.peer_ifname());
  }
  std::vector<bool> moot(plan.actions.size(), false);
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    if (!a.MootAfterNamespaceRemoval()) continue;
    if (a.kind == ActionKind::kCreateVeth) {
      moot[i] = !a.ns.empty() && !a.peer_ns().empty() &&
                (removed.count(a.ns) || removed.count(a.peer_ns()));
      continue;
    }
    if (removed.count(a.ns)) {
      moot[i] = true;
      continue;
    }
    if (!a.ns.empty()) continue;
    switch (a.kind) {
      case ActionKind::kAddAddress:
      case ActionKind::kSetMtu:
      case ActionKind::kSetMac:
      case ActionKind::kSetLinkUp:
      case ActionKind::kSetMaster:
        moot[i] = vanishing.count({a.ns, a.ifname}) > 0;
        break;
      default:
        break;
    }
  }
  return moot;
}

}  // namespace topo
