#include "kernel/host_limits.h"

#include <fstream>
#include <string>

namespace topo {

size_t ReadNeighbourLimit(int family) {
  std::ifstream in(std::string("/proc/sys/net/ipv") + (family == 4 ? "4" : "6") +
                   "/neigh/default/gc_thresh3");
  long long value = 0;
  if (!(in >> value) || value <= 0) return 0;
  return static_cast<size_t>(value);
}

}  // namespace topo
