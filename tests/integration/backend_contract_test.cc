// The Backend contract (support/backend_contract.h) on NetlinkBackend, in
// namespaces named "tbc<pid>-..." (interfaces only ever inside them). Needs
// root: skipped otherwise, except in CI (CI=true) where that is a failure.
#include <unistd.h>

#include "kernel/netlink_backend.h"
#include "support/backend_contract.h"

namespace topo {
namespace {

struct NetlinkEnv {
  Backend& backend() { return backend_; }
  bool Ready(std::string* why) {
    if (geteuid() == 0) return true;
    *why = "the netlink backend contract needs root";
    return false;
  }
  std::string Prefix() { return "tbc" + std::to_string(getpid()) + "-"; }
  NetlinkBackend backend_;
};

using Backends = ::testing::Types<NetlinkEnv>;
INSTANTIATE_TYPED_TEST_SUITE_P(Netlink, BackendContract, Backends);

}  // namespace
}  // namespace topo
