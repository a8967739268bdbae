#include "model/machines.h"

namespace topo {

int VxlanOverhead(int underlay_family) { return underlay_family == 6 ? 70 : 50; }

const char* PlacedByName(PlacedBy p) {
  switch (p) {
    case PlacedBy::kNone:
      return "";
    case PlacedBy::kNode:
      return "machine";
    case PlacedBy::kRule:
      return "rule";
    case PlacedBy::kAuto:
      return "automatic";
  }
  return "";
}

}  // namespace topo
