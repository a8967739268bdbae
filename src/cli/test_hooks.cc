#include "cli/test_hooks.h"

#include <csignal>
#include <cstdlib>
#include <utility>

namespace topo::cli {

void InstallTestHooks(BringUpOptions* options) {
  const char* stop = std::getenv("TOPO_TEST_STOP_AFTER");
  const size_t stop_after = stop ? std::strtoul(stop, nullptr, 10) : 0;
  if (stop_after == 0) return;
  options->on_action = [next = std::move(options->on_action), stop_after](size_t i,
                                                                          const Action& a) {
    if (next) next(i, a);
    if (i + 1 == stop_after) ::raise(SIGSTOP);
  };
}

}  // namespace topo::cli
