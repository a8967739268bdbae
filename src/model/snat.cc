#include "model/snat.h"

namespace topo {

std::string SnatSpec::ToString() const {
  return source.ToString() + " out " + out + (to ? " to " + to->ToString() : " masquerade");
}

std::vector<std::string> SnatRuleWords(const SnatSpec& rule) {
  std::vector<std::string> w = {"-s", rule.source.ToString(), "-o", rule.out};
  if (!rule.comment.empty()) w.insert(w.end(), {"-m", "comment", "--comment", rule.comment});
  if (rule.to) {
    w.insert(w.end(), {"-j", "SNAT", "--to-source", rule.to->ToString()});
  } else {
    w.insert(w.end(), {"-j", "MASQUERADE"});
  }
  return w;
}

}  // namespace topo
