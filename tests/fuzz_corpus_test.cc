// Replays the fuzz target's checks (tests/fuzz/fuzz_one.h) over its checked-in
// corpus (tests/fuzz/corpus), every input that ever crashed it
// (tests/fuzz/regressions), the example topologies and the invalid corpus. A
// violated property aborts, which fails the test run.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "fuzz_one.h"
#include "testutil.h"

namespace topo {
namespace {

namespace fs = std::filesystem;

size_t ReplayDirectory(const std::string& relative) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(testing::SourcePath(relative), ec)) {
    if (!entry.is_regular_file()) continue;
    const std::string text = testing::ReadFile(entry.path());
    fuzz::FuzzOne(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    ++n;
  }
  return n;
}

TEST(FuzzCorpusTest, CheckedInCorpusKeepsEveryProperty) {
  EXPECT_GT(ReplayDirectory("tests/fuzz/corpus"), 0u);
}

TEST(FuzzCorpusTest, EveryCrashFoundStaysFixed) { ReplayDirectory("tests/fuzz/regressions"); }

TEST(FuzzCorpusTest, SeedsKeepEveryProperty) {
  EXPECT_GT(ReplayDirectory("topologies"), 0u);
  EXPECT_GE(ReplayDirectory("tests/invalid"), 100u);
}

}  // namespace
}  // namespace topo
