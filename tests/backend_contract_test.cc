// The Backend contract (support/backend_contract.h) on RecordingBackend; the
// same cases run on NetlinkBackend in integration/backend_contract_test.cc.
#include "support/backend_contract.h"
#include "support/recording_backend.h"

namespace topo {
namespace {

struct RecordingEnv {
  Backend& backend() { return backend_; }
  bool Ready(std::string*) { return true; }
  std::string Prefix() { return "t-"; }
  RecordingBackend backend_;
};

using Backends = ::testing::Types<RecordingEnv>;
INSTANTIATE_TYPED_TEST_SUITE_P(Recording, BackendContract, Backends);

}  // namespace
}  // namespace topo
