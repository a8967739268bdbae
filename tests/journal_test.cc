// The journal's batching: lines of actions a namespace deletion undoes may wait
// in memory; every other line, and whatever waited before it, is written at once.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "state.h"
#include "testutil.h"

namespace topo {
namespace {

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/topo-journal-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/journal";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Journal Open() {
    return Journal(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  }
  std::string Contents() { return testing::ReadFile(path_); }

  std::string dir_, path_;
};

TEST_F(JournalTest, DoneIsWrittenAtOnce) {
  Journal j = Open();
  ASSERT_TRUE(j.Done(0).ok());
  EXPECT_EQ(Contents(), "done 0\n");
}

TEST_F(JournalTest, DoneLaterWaitsForTheNextDoneAndKeepsTheOrder) {
  Journal j = Open();
  ASSERT_TRUE(j.Done(0).ok());
  ASSERT_TRUE(j.DoneLater(1).ok());
  ASSERT_TRUE(j.DoneLater(2, "previous").ok());
  EXPECT_EQ(Contents(), "done 0\n");
  ASSERT_TRUE(j.Done(3).ok());
  EXPECT_EQ(Contents(), "done 0\ndone 1\ndone 2 \"previous\"\ndone 3\n");
}

TEST_F(JournalTest, CompleteFlushAndDestructionWriteWhatWaited) {
  {
    Journal j = Open();
    ASSERT_TRUE(j.DoneLater(0).ok());
    ASSERT_TRUE(j.Flush().ok());
    EXPECT_EQ(Contents(), "done 0\n");
    ASSERT_TRUE(j.DoneLater(1).ok());
    ASSERT_TRUE(j.Complete().ok());
    EXPECT_EQ(Contents(), "done 0\ndone 1\ncomplete\n");
    ASSERT_TRUE(j.DoneLater(2).ok());
  }
  EXPECT_EQ(Contents(), "done 0\ndone 1\ncomplete\ndone 2\n");
}

TEST_F(JournalTest, ManyWaitingLinesAreWrittenBeforeTheyGrowLarge) {
  Journal j = Open();
  for (size_t i = 0; i < 20000; ++i) ASSERT_TRUE(j.DoneLater(i).ok());
  EXPECT_GE(Contents().size(), 65536u);
}

}  // namespace
}  // namespace topo
