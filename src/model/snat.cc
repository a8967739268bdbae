#include "model/snat.h"

namespace topo {

std::string SnatSpec::ToString() const {
  return source.ToString() + " out " + out + (to ? " to " + to->ToString() : " masquerade");
}

std::vector<std::string> SnatRuleWords(const SnatSpec& rule) {
  // Any source (/0) is written without -s, as iptables-save shows it.
  std::vector<std::string> w;
  if (rule.source.length > 0) w = {"-s", rule.source.ToString()};
  w.insert(w.end(), {"-o", rule.out});
  if (!rule.comment.empty()) w.insert(w.end(), {"-m", "comment", "--comment", rule.comment});
  if (rule.to) {
    w.insert(w.end(), {"-j", "SNAT", "--to-source", rule.to->ToString()});
  } else {
    w.insert(w.end(), {"-j", "MASQUERADE"});
  }
  return w;
}

}  // namespace topo
