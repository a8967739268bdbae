#include "lab/run_env.h"

#include <set>

namespace topo {

std::string NamespaceVariable(const std::string& node) {
  std::string v = "TOPO_NS_";
  for (unsigned char c : node) {
    if (c >= 'a' && c <= 'z') {
      v += static_cast<char>(c - 'a' + 'A');
    } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      v += static_cast<char>(c);
    } else {
      v += '_';
    }
  }
  return v;
}

std::vector<std::string> LabEnvironment(const Plan& plan, const std::string& state_dir,
                                        std::vector<std::string>* clashes) {
  std::vector<std::string> env = {
      "TOPO_LAB=" + plan.lab,
      "TOPO_PREFIX=" + plan.prefix,
      "TOPO_STATE_DIR=" + state_dir,
      "TOPO_JOURNAL=" + state_dir + "/labs/" + plan.lab + "/journal",
      "TOPO_TOPOLOGY=" + plan.source_file,
  };
  std::string nodes;
  std::set<std::string> seen;
  std::vector<std::string> ns_vars;
  for (const Action& a : plan.actions) {
    if (a.kind != ActionKind::kCreateNamespace) continue;
    nodes += (nodes.empty() ? "" : " ") + a.node;
    const std::string var = NamespaceVariable(a.node);
    if (!seen.insert(var).second) {
      if (clashes) clashes->push_back(a.node);
      continue;
    }
    ns_vars.push_back(var + "=" + a.ns);
  }
  env.push_back("TOPO_NODES=" + nodes);
  env.insert(env.end(), ns_vars.begin(), ns_vars.end());
  return env;
}

}  // namespace topo
