// Output files named on the command line (`topo test --junit FILE`, `topo
// graph -o FILE`): kernel/output_file.h's contract, then the verbs through the
// binary. Each test plants what an attacker would in a shared directory (a
// symlink to a file it wants destroyed, a FIFO) and checks that the planted
// target keeps its content.
#include "kernel/output_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "testutil.h"

namespace topo {
namespace {

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/topo-out-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    victim_ = dir_ + "/victim";
    std::ofstream(victim_) << "precious\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Names in the directory other than the victim and `keep`: leftovers.
  std::vector<std::string> Others(const std::string& keep) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      std::string n = e.path().filename();
      if (n != "victim" && n != keep) names.push_back(n);
    }
    return names;
  }

  testing::ProcessResult Topo(std::vector<std::string> args) {
    args.insert(args.begin(), testing::TopoBinary());
    return testing::RunProcess(args);
  }

  std::string dir_, victim_;
};

TEST_F(OutputFileTest, WritesANewFileAndReplacesARegularOne) {
  std::string out = dir_ + "/out.txt";
  ASSERT_TRUE(WriteOutputFile(out, "one\n").ok());
  EXPECT_EQ(testing::ReadFile(out), "one\n");
  ASSERT_TRUE(WriteOutputFile(out, "two\n").ok());
  EXPECT_EQ(testing::ReadFile(out), "two\n");
  EXPECT_TRUE(Others("out.txt").empty()) << "no temporary file left";
}

TEST_F(OutputFileTest, RefusesASymlinkAndLeavesBothAlone) {
  std::string link = dir_ + "/report.xml";
  ASSERT_EQ(symlink(victim_.c_str(), link.c_str()), 0);
  Status s = WriteOutputFile(link, "forged\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("symbolic link"), std::string::npos) << s.message();
  EXPECT_FALSE(CheckOutputFile(link).ok());
  EXPECT_EQ(testing::ReadFile(victim_), "precious\n");
  EXPECT_TRUE(std::filesystem::is_symlink(link)) << "the link itself stays";
  EXPECT_TRUE(Others("report.xml").empty());
}

TEST_F(OutputFileTest, RefusesFifosDirectoriesAndMissingDirectories) {
  std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_FALSE(WriteOutputFile(fifo, "x").ok()) << "would block, or feed a reader";
  EXPECT_FALSE(WriteOutputFile(dir_, "x").ok());
  EXPECT_FALSE(WriteOutputFile(dir_ + "/", "x").ok());
  EXPECT_FALSE(WriteOutputFile(dir_ + "/no/such/dir", "x").ok());
  EXPECT_TRUE(Others("fifo").empty());
}

// Before the fix: `--junit LINK` truncated the link's target before the file
// was even validated, then deleted the link; an existing report was deleted.
TEST_F(OutputFileTest, TopoTestTouchesNoJunitPathOfAnInvalidFile) {
  const std::string bad = testing::SourcePath("tests/invalid/013-unknown-node.yaml");
  std::string link = dir_ + "/junit.xml";
  ASSERT_EQ(symlink(victim_.c_str(), link.c_str()), 0);
  auto r = Topo({"test", "--junit", link, bad});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("symbolic link"), std::string::npos) << r.output;
  EXPECT_EQ(testing::ReadFile(victim_), "precious\n");
  EXPECT_TRUE(std::filesystem::is_symlink(link));

  std::string old = dir_ + "/old.xml";
  std::ofstream(old) << "last run's report\n";
  EXPECT_EQ(Topo({"test", "--junit", old, bad}).status, 2);
  EXPECT_EQ(testing::ReadFile(old), "last run's report\n") << "no results: nothing touched";
}

TEST_F(OutputFileTest, TopoGraphRefusesASymlinkedOutput) {
  const std::string seed = testing::SourcePath("topologies/server-router-client.yaml");
  std::string link = dir_ + "/lab.dot";
  ASSERT_EQ(symlink(victim_.c_str(), link.c_str()), 0);
  auto r = Topo({"graph", seed, "-o", link});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("symbolic link"), std::string::npos) << r.output;
  EXPECT_EQ(testing::ReadFile(victim_), "precious\n");
  std::string out = dir_ + "/real.dot";
  EXPECT_EQ(Topo({"graph", seed, "-o", out}).status, 0);
  EXPECT_NE(testing::ReadFile(out).find("graph"), std::string::npos);
}

}  // namespace
}  // namespace topo
