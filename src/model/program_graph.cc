#include "model/program_graph.h"

#include <functional>
#include <map>
#include <queue>

namespace topo {

std::optional<std::pair<std::string, std::string>> SplitAfter(const Node& n,
                                                              const std::string& entry) {
  const size_t slash = entry.find('/');
  if (slash == std::string::npos) {
    if (entry.empty()) return std::nullopt;
    return std::make_pair(n.name, entry);
  }
  if (slash == 0 || slash + 1 == entry.size() || entry.find('/', slash + 1) != std::string::npos) {
    return std::nullopt;
  }
  return std::make_pair(entry.substr(0, slash), entry.substr(slash + 1));
}

namespace {

std::optional<ProgramRef> Find(const Topology& t, const std::string& node,
                               const std::string& program) {
  for (size_t i = 0; i < t.nodes.size(); ++i) {
    if (t.nodes[i].name != node) continue;
    const std::vector<Program>& ps = t.nodes[i].programs;
    for (size_t j = 0; j < ps.size(); ++j) {
      if (ps[j].name == program) return ProgramRef{i, j};
    }
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::vector<ProgramDependency> Dependencies(const Topology& t, ProgramRef p) {
  std::vector<ProgramDependency> deps;
  if (p.program > 0) deps.push_back({ProgramRef{p.node, p.program - 1}, -1});
  const Node& n = t.nodes[p.node];
  const Program& prog = n.programs[p.program];
  for (size_t k = 0; k < prog.after.size(); ++k) {
    auto split = SplitAfter(n, prog.after[k]);
    if (!split) continue;
    if (auto on = Find(t, split->first, split->second)) {
      deps.push_back({*on, static_cast<int>(k)});
    }
  }
  return deps;
}

std::vector<ProgramRef> AllPrograms(const Topology& t,
                                    std::map<std::pair<size_t, size_t>, size_t>* index) {
  std::vector<ProgramRef> all;
  for (size_t i = 0; i < t.nodes.size(); ++i) {
    for (size_t j = 0; j < t.nodes[i].programs.size(); ++j) {
      if (index) (*index)[{i, j}] = all.size();
      all.push_back({i, j});
    }
  }
  return all;
}

std::vector<ProgramRef> StartOrder(const Topology& t) {
  // Kahn's algorithm, always taking the first program (in node order, then
  // written order) of those whose dependencies are all taken.
  std::map<std::pair<size_t, size_t>, size_t> index;
  std::vector<ProgramRef> all = AllPrograms(t, &index);
  std::vector<size_t> waiting(all.size(), 0);            // dependencies not yet taken
  std::vector<std::vector<size_t>> waiters(all.size());  // who waits for each
  for (size_t k = 0; k < all.size(); ++k) {
    for (const ProgramDependency& d : Dependencies(t, all[k])) {
      waiters[index[{d.on.node, d.on.program}]].push_back(k);
      ++waiting[k];
    }
  }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> free;
  for (size_t k = 0; k < all.size(); ++k) {
    if (waiting[k] == 0) free.push(k);
  }
  std::vector<ProgramRef> order;
  order.reserve(all.size());
  while (!free.empty()) {
    const size_t k = free.top();
    free.pop();
    order.push_back(all[k]);
    for (size_t w : waiters[k]) {
      if (--waiting[w] == 0) free.push(w);
    }
  }
  return order;
}

}  // namespace topo
