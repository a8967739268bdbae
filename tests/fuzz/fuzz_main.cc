// libFuzzer entry point: see fuzz_one.h. Built with -DTOPO_FUZZ=ON (clang);
// run with `tools/dev.sh fuzz [seconds]`.
#include <cstddef>
#include <cstdint>

#include "fuzz_one.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  topo::fuzz::FuzzOne(data, size);
  return 0;
}
