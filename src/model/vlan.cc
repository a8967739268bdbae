#include "model/vlan.h"

namespace topo {

std::string PortVlans::ToString() const {
  if (tagged.empty()) return untagged ? "access " + std::to_string(untagged) : "";
  std::string out = "trunk ";
  for (size_t k = 0; k < tagged.size(); ++k) {
    out += (k ? "," : "") + std::to_string(tagged[k]);
  }
  if (untagged) out += " native " + std::to_string(untagged);
  return out;
}

bool SplitVlanName(const std::string& name, std::string* parent, int* id) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) return false;
  long value = 0;
  for (size_t k = dot + 1; k < name.size(); ++k) {
    char c = name[k];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
    if (value > kMaxVlan) value = kMaxVlan + 1;
  }
  *parent = name.substr(0, dot);
  *id = static_cast<int>(value);
  return true;
}

}  // namespace topo
