// Issue #16 items 5 and 11 with the real kernel: `down` of a lab whose record
// is damaged (journal emptied, cut, a bad line; plan.json lost) removes every
// namespace and /etc/netns file the record still names and says what it could
// not verify; `status` reports the damaged lab, never aborting. And `down`
// acts by identity: a symlink planted at /run/netns/NAME is neither followed
// nor unmounted through, and a namespace that took the name of the lab's is
// left. Everything here runs rootless too (in the sandbox's own /run/netns).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "lab/state.h"
#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

namespace fs = std::filesystem;
using testing::RunProcess;

const std::string kSeedFile = testing::SourcePath("topologies/server-router-client.yaml");
const std::vector<std::string> kNodes = {"server", "router", "client"};

class DownIdentityTest : public testing::LabFixture {
 protected:
  void SetUp() override {
    LabFixture::SetUp();
    if (IsSkipped() || HasFailure()) return;
    lab_ = prefix_ + "server-router-client";
  }
  void CleanUp() override {
    for (const std::string& link : symlinks_) ::unlink(link.c_str());
    for (const std::string& ns : foreign_) RunProcess({"ip", "netns", "del", ns});
    LabFixture::CleanUp();
  }
  void Up() {
    labs_ = {lab_};
    auto up = Topo({"up", "--prefix", prefix_, kSeedFile});
    ASSERT_EQ(up.status, 0) << up.output;
  }
  std::string LabFile(const std::string& name) {
    return StateStore(state_dir_).LabDir(lab_) + "/" + name;
  }
  static bool IsMountedNamespace(const std::string& name, testing::NetnsId* id = nullptr) {
    testing::NetnsId found;
    if (!testing::NetnsIdentity("/run/netns/" + name, &found)) return false;
    if (id) *id = found;
    return true;
  }
  // Nothing of the lab: no namespace, no /etc/netns directory, no record.
  void ExpectGone() {
    for (const std::string& node : kNodes) {
      EXPECT_FALSE(fs::exists("/run/netns/" + prefix_ + node)) << node;
      EXPECT_FALSE(fs::exists("/etc/netns/" + prefix_ + node)) << node;
    }
    EXPECT_FALSE(fs::exists(StateStore(state_dir_).LabDir(lab_)));
  }

  std::string lab_;
  std::vector<std::string> symlinks_, foreign_;
};

TEST_F(DownIdentityTest, DownOfADamagedRecordRemovesWhatItNamesAndSaysSo) {
  struct Case {
    const char* name;
    std::function<void(const std::string& journal, const std::string& plan)> damage;
    // What `status` and `down` say: a damaged record, or an `up` that did
    // not finish (a journal cut inside a line reads as one).
    std::string status, down;
  };
  const std::string damaged = "warning: the record of lab '" + lab_ + "' was damaged";
  const std::vector<Case> cases = {
      {"empty journal", [](const std::string& j, const std::string&) { fs::resize_file(j, 0); },
       "is damaged", damaged},
      {"journal cut in the middle",
       [](const std::string& j, const std::string&) { fs::resize_file(j, fs::file_size(j) / 2); },
       "incomplete: `up` did not finish", "its `up` had not finished"},
      {"plan.json removed", [](const std::string&, const std::string& p) { fs::remove(p); },
       "is damaged", damaged},
      {"a bad line",
       [](const std::string& j, const std::string&) {
         std::ofstream(j, std::ios::app) << "set-link {\"ns\":1}\n";
       },
       "is damaged", damaged},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Up();
    if (HasFailure()) return;
    c.damage(LabFile("journal"), LabFile("plan.json"));
    // `status` reports the damaged lab (before: an uncaught exception, or
    // "no lab is up" without plan.json).
    auto status = Topo({"status", lab_});
    EXPECT_LT(status.status, 128) << status.output;
    EXPECT_NE(status.output.find(c.status), std::string::npos) << status.output;
    auto all = Topo({"status"});
    EXPECT_LT(all.status, 128) << all.output;
    auto exec = Topo({"exec", "--lab", lab_, "server", "--", "true"});
    EXPECT_LT(exec.status, 128) << exec.output;
    // Before: exit 0, "1 removed", the namespaces and /etc/netns files left.
    auto down = Topo({"down", lab_});
    EXPECT_EQ(down.status, 0) << down.output;
    EXPECT_NE(down.output.find(c.down), std::string::npos) << down.output;
    ExpectGone();
  }
}

TEST_F(DownIdentityTest, ASymlinkAtTheLabsNamespaceIsNeitherFollowedNorRemoved) {
  Up();
  if (HasFailure()) return;
  // A namespace the test made, and a symlink to it where the lab's server was.
  const std::string victim = prefix_ + "victim";
  foreign_.push_back(victim);
  ASSERT_EQ(RunProcess({"ip", "netns", "add", victim}).status, 0);
  testing::NetnsId before, after;
  ASSERT_TRUE(IsMountedNamespace(victim, &before));
  const std::string link = "/run/netns/" + prefix_ + "server";
  ASSERT_EQ(RunProcess({"ip", "netns", "del", prefix_ + "server"}).status, 0);
  symlinks_.push_back(link);
  ASSERT_EQ(::symlink(("/run/netns/" + victim).c_str(), link.c_str()), 0);
  // Before: `down` unmounted the victim through the symlink.
  auto down = Topo({"down", lab_});
  EXPECT_EQ(down.status, 0) << down.output;
  EXPECT_NE(down.output.find("is a symbolic link"), std::string::npos) << down.output;
  ASSERT_TRUE(IsMountedNamespace(victim, &after));
  EXPECT_EQ(before, after);
  struct stat st;
  EXPECT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_FALSE(fs::exists("/run/netns/" + prefix_ + "router"));
  EXPECT_FALSE(fs::exists("/run/netns/" + prefix_ + "client"));
}

TEST_F(DownIdentityTest, ANamespaceThatTookTheLabsNameIsLeft) {
  Up();
  if (HasFailure()) return;
  const std::string router = prefix_ + "router";
  ASSERT_EQ(RunProcess({"ip", "netns", "del", router}).status, 0);
  foreign_.push_back(router);
  ASSERT_EQ(RunProcess({"ip", "netns", "add", router}).status, 0);
  testing::NetnsId before, after;
  ASSERT_TRUE(IsMountedNamespace(router, &before));
  // Before: `down` deleted it, saying nothing.
  auto down = Topo({"down", lab_});
  EXPECT_EQ(down.status, 0) << down.output;
  EXPECT_NE(down.output.find("namespace '" + router + "' is not the lab's"), std::string::npos)
      << down.output;
  ASSERT_TRUE(IsMountedNamespace(router, &after));
  EXPECT_EQ(before, after);
  EXPECT_FALSE(fs::exists("/run/netns/" + prefix_ + "server"));
}

}  // namespace
}  // namespace topo
