#include "lab/namespaces_only.h"

#include <algorithm>
#include <climits>
#include <set>
#include <sstream>
#include <unordered_set>

#include "lab/state.h"

namespace topo {
namespace {

bool IsName(const std::string& s) { return StateStore::IsSafeLabName(s); }

// A decimal number below `limit`, as the journal writes it.
bool ParseNumber(const std::string& text, size_t limit, size_t* value) {
  if (text.empty() || text.size() > 19 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  *value = std::stoull(text);
  return *value < limit;
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The line for action `i`, or "" when removing the lab's namespaces undoes it
// (*fits false when nothing of the kind above undoes it).
std::string OutsideLine(const Action& a, size_t i, const std::set<std::string>& own, bool* fits) {
  const bool in_own = own.count(a.ns) > 0;
  switch (a.kind) {
    case ActionKind::kCreateNamespace:
      *fits = in_own;
      return "";
    case ActionKind::kWriteEtcFile:
      *fits = in_own && IsName(a.key());
      return "etc-file " + std::to_string(i) + " " + a.ns + " " + a.key() + "\n";
    case ActionKind::kMakeNodeDir:
    case ActionKind::kWriteNodeFile:
      // Kept under the lab's state directory, which goes with its record.
      *fits = in_own;
      return "";
    case ActionKind::kStartProgram:
      *fits = in_own && IsName(a.node) && IsName(a.program().name);
      return "program " + std::to_string(i) + " " + a.ns + " " + a.node + " " + a.program().name +
             " " + std::to_string(std::max(a.program().stop_timeout_ms, 0)) + "\n";
    default:
      *fits = a.UndoneByNamespaceRemoval() && in_own &&
              (a.kind != ActionKind::kCreateVeth || own.count(a.peer_ns()) > 0);
      return "";
  }
}

}  // namespace

std::string JournalHeader(const Plan& plan) {
  const std::set<std::string> own(plan.namespaces.begin(), plan.namespaces.end());
  std::string outside;
  bool namespaces_only = true;
  for (size_t i = 0; i < plan.actions.size() && namespaces_only; ++i) {
    outside += OutsideLine(plan.actions[i], i, own, &namespaces_only);
  }
  const std::string header = "plan " + std::to_string(plan.actions.size());
  return namespaces_only ? header + " namespaces-only\n" + outside : header + "\n";
}

bool IsOutsideLine(const std::string& kind) { return kind == "etc-file" || kind == "program"; }

std::string ParseOutsideLine(const std::string& kind, const std::string& rest, size_t actions,
                             OutsideActions* out) {
  const std::vector<std::string> w = Words(rest);
  size_t index = 0;
  if (w.empty() || !ParseNumber(w[0], actions, &index)) {
    return "an action number that is not one of the plan's " + std::to_string(actions);
  }
  Action a;
  a.ns = w.size() > 1 ? w[1] : "";
  if (kind == "etc-file") {
    if (w.size() != 3 || !IsName(a.ns) || !IsName(w[2])) return "a bad etc-file line";
    a.kind = ActionKind::kWriteEtcFile;
    a.node = a.ns;
    a.set_key(w[2]);
  } else {
    size_t stop_ms = 0;
    if (w.size() != 5 || !IsName(a.ns) || !IsName(w[2]) || !IsName(w[3]) ||
        !ParseNumber(w[4], INT_MAX, &stop_ms)) {
      return "a bad program line";
    }
    a.kind = ActionKind::kStartProgram;
    a.node = w[2];
    a.mutable_program().name = w[3];
    a.mutable_program().stop_timeout_ms = static_cast<int>(stop_ms);
  }
  if (out) out->emplace_back(index, std::move(a));
  return "";
}

bool NamespacesOnlyTeardownPlan(const std::vector<std::string>& names,
                                const OutsideActions& outside,
                                const std::map<size_t, std::string>& journaled, size_t actions,
                                Plan* plan, std::map<size_t, std::string>* notes) {
  const std::unordered_set<std::string> own(names.begin(), names.end());
  if (own.size() != names.size() || names.size() + outside.size() > actions) return false;
  std::unordered_set<size_t> seen;
  for (const auto& [index, a] : outside) {
    if (!own.count(a.ns) || !seen.insert(index).second) return false;
  }
  for (const std::string& ns : names) {
    plan->namespaces.push_back(ns);
    Action a;
    a.kind = ActionKind::kCreateNamespace;
    a.ns = a.node = ns;
    plan->actions.push_back(std::move(a));
  }
  OutsideActions sorted = outside;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  for (auto& [index, a] : sorted) {
    if (auto note = journaled.find(index); note != journaled.end()) {
      (*notes)[plan->actions.size()] = note->second;
    }
    plan->actions.push_back(std::move(a));
  }
  return true;
}

}  // namespace topo
