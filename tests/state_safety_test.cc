// The state directory against a hostile file system: modes (0700 directories,
// 0600 files), symlinks planted where topo writes or reads (the state
// directory, the lock, a lab directory, the journal, plan.json), a directory
// owned by someone else, and a full disk. Nothing is followed, nothing outside
// the state directory is written or removed, and `up` refuses before the
// (recording) backend sees a single call. No privileges needed; the
// other-owner case runs only as root.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "front/validate.h"
#include "lab/lab.h"
#include "plan/compile.h"
#include "support/recording_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

namespace fs = std::filesystem;

Plan SeedPlan() {
  const std::string path = testing::SourcePath("topologies/server-router-client.yaml");
  Document doc;
  DiagnosticList diags(path);
  auto t = LoadAndValidate(path, {}, &doc, &diags);
  EXPECT_TRUE(t);
  return Compile(*t, path);
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class StateSafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    root_ = tmp_.path();
    dir_ = root_ + "/state";
    // A file outside the state directory that planted symlinks point at.
    victim_ = root_ + "/victim";
    std::ofstream(victim_) << "precious\n";
  }
  void ExpectVictimIntact() {
    EXPECT_EQ(testing::ReadFile(victim_), "precious\n");
    EXPECT_EQ(ModeOf(victim_) & 0777, 0644u & ~CurrentUmask());
  }
  static mode_t CurrentUmask() {
    mode_t m = umask(0);
    umask(m);
    return m;
  }

  testing::TempDir tmp_{"topo-safety"};
  std::string root_, dir_, victim_;
};

TEST_F(StateSafetyTest, DirectoriesAre0700AndFiles0600) {
  RecordingBackend b;
  StateStore store(dir_);
  ASSERT_TRUE(Up(SeedPlan(), b, store).status.ok());
  const std::string lab = dir_ + "/labs/server-router-client";
  EXPECT_EQ(ModeOf(dir_), 0700u);
  EXPECT_EQ(ModeOf(dir_ + "/labs"), 0700u);
  EXPECT_EQ(ModeOf(lab), 0700u);
  for (const char* f : {"/plan.json", "/namespaces", "/journal"}) {
    EXPECT_EQ(ModeOf(lab + f), 0600u) << f;
  }
  EXPECT_EQ(ModeOf(dir_ + "/lock"), 0600u);
}

// TOPO_STATE_DIR=/tmp by mistake: before the fix topo chmodded the shared
// directory to 0700 and dropped its sticky bit. Now it is left as it is and
// the store is a subdirectory topo makes and owns.
TEST_F(StateSafetyTest, ASharedStateDirectoryIsLeftAloneAndASubdirectoryUsed) {
  for (mode_t shared : {01777, 0755, 0777, 02770}) {
    ASSERT_EQ(mkdir(dir_.c_str(), 0700), 0);
    ASSERT_EQ(chmod(dir_.c_str(), shared), 0);
    RecordingBackend b;
    StateStore store(dir_);
    EXPECT_EQ(store.dir(), dir_ + "/topo");
    ASSERT_TRUE(Up(SeedPlan(), b, store).status.ok());
    EXPECT_EQ(ModeOf(dir_), shared) << std::oct << shared;
    EXPECT_EQ(ModeOf(dir_ + "/topo"), 0700u);
    EXPECT_EQ(store.ListLabs(), std::vector<std::string>{"server-router-client"});
    StateStore again(dir_);  // the next topo finds the lab there
    EXPECT_EQ(again.ListLabs(), std::vector<std::string>{"server-router-client"});
    fs::remove_all(dir_);
  }
}

// The store's own directory is never chmodded: a `topo` subdirectory that is
// not private was not necessarily made by topo.
TEST_F(StateSafetyTest, ALooseStoreSubdirectoryIsRefusedNotChanged) {
  ASSERT_EQ(mkdir(dir_.c_str(), 01777), 0);
  ASSERT_EQ(chmod(dir_.c_str(), 01777), 0);
  ASSERT_EQ(mkdir((dir_ + "/topo").c_str(), 0755), 0);
  ASSERT_EQ(chmod((dir_ + "/topo").c_str(), 0755), 0);
  StateStore store(dir_);
  Status s = store.Open();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("is not private (mode 0755)"), std::string::npos) << s.message();
  EXPECT_EQ(ModeOf(dir_ + "/topo"), 0755u);
}

TEST_F(StateSafetyTest, SymlinkedStateDirectoryIsRefused) {
  const std::string elsewhere = root_ + "/elsewhere";
  ASSERT_EQ(mkdir(elsewhere.c_str(), 0700), 0);
  ASSERT_EQ(symlink(elsewhere.c_str(), dir_.c_str()), 0);
  RecordingBackend b;
  StateStore store(dir_);
  UpResult r = Up(SeedPlan(), b, store);
  EXPECT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.message(), dir_ + " is not a directory; nothing was changed");
  EXPECT_TRUE(b.calls().empty());
  EXPECT_TRUE(fs::is_empty(elsewhere));
}

TEST_F(StateSafetyTest, SymlinkAtTheLockIsNotFollowed) {
  StateStore probe(dir_);
  ASSERT_TRUE(probe.Open().ok());
  ASSERT_EQ(symlink(victim_.c_str(), (dir_ + "/lock").c_str()), 0);
  RecordingBackend b;
  StateStore store(dir_);
  UpResult r = Up(SeedPlan(), b, store);
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("Too many levels of symbolic links"), std::string::npos)
      << r.status.message();
  EXPECT_TRUE(b.calls().empty());
  ExpectVictimIntact();
}

TEST_F(StateSafetyTest, SymlinkAtTheJournalIsNotFollowed) {
  // A lab directory without a plan (what a killed `up` leaves), its journal a
  // symlink: `up` clears it away, unlinking the symlink, never writing through it.
  StateStore probe(dir_);
  ASSERT_TRUE(probe.Open().ok());
  const std::string lab = dir_ + "/labs/server-router-client";
  ASSERT_EQ(mkdir(lab.c_str(), 0700), 0);
  ASSERT_EQ(symlink(victim_.c_str(), (lab + "/journal").c_str()), 0);
  RecordingBackend b;
  StateStore store(dir_);
  UpResult r = Up(SeedPlan(), b, store);
  store.Unlock();
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(lab + "/journal")));
  ExpectVictimIntact();

  // A recorded lab whose journal was replaced by a symlink: `down` refuses to
  // read through it and removes nothing.
  fs::remove(lab + "/journal");
  ASSERT_EQ(symlink(victim_.c_str(), (lab + "/journal").c_str()), 0);
  const size_t calls = b.calls().size();
  DownResult d = Down("server-router-client", b, store);
  EXPECT_FALSE(d.status.ok());
  EXPECT_NE(d.status.message().find("Too many levels of symbolic links"), std::string::npos)
      << d.status.message();
  EXPECT_EQ(b.calls().size(), calls);
  ExpectVictimIntact();
}

TEST_F(StateSafetyTest, SymlinkedPlanIsNotReadAndDownRefuses) {
  // plan.json pointing at a plan written elsewhere: `down` must not act on it.
  RecordingBackend b;
  StateStore store(dir_);
  Plan p = SeedPlan();
  ASSERT_TRUE(Up(p, b, store).status.ok());
  store.Unlock();
  const std::string plan = dir_ + "/labs/server-router-client/plan.json";
  fs::copy_file(plan, root_ + "/forged.json");
  fs::remove(plan);
  ASSERT_EQ(symlink((root_ + "/forged.json").c_str(), plan.c_str()), 0);
  const size_t calls = b.calls().size();
  DownResult d = Down("server-router-client", b, store);
  EXPECT_FALSE(d.status.ok());
  EXPECT_EQ(b.calls().size(), calls);
  EXPECT_TRUE(fs::exists(root_ + "/forged.json"));
}

TEST_F(StateSafetyTest, SymlinkedLabDirectoryIsNeitherListedNorEmptied) {
  StateStore probe(dir_);
  ASSERT_TRUE(probe.Open().ok());
  // A directory elsewhere that looks like a lab, linked into labs/.
  const std::string elsewhere = root_ + "/elsewhere";
  ASSERT_EQ(mkdir(elsewhere.c_str(), 0700), 0);
  {
    RecordingBackend b;
    StateStore other(root_ + "/other-state");
    ASSERT_TRUE(Up(SeedPlan(), b, other).status.ok());
    fs::copy(root_ + "/other-state/labs/server-router-client", elsewhere);
  }
  ASSERT_EQ(symlink(elsewhere.c_str(), (dir_ + "/labs/server-router-client").c_str()), 0);
  StateStore store(dir_);
  EXPECT_TRUE(store.ListLabs().empty());
  RecordingBackend b;
  DownResult d = Down("server-router-client", b, store);
  EXPECT_TRUE(b.calls().empty());
  EXPECT_TRUE(fs::exists(elsewhere + "/plan.json"));
  EXPECT_TRUE(fs::exists(elsewhere + "/journal"));
  EXPECT_TRUE(store.RemoveLab("server-router-client").ok());
  EXPECT_TRUE(fs::exists(elsewhere + "/plan.json")) << "RemoveLab followed the symlink";
  EXPECT_FALSE(fs::is_symlink(dir_ + "/labs/server-router-client"));
}

TEST_F(StateSafetyTest, StateDirectoryOwnedByAnotherUserIsRefused) {
  if (!testing::IsRoot()) GTEST_SKIP() << "needs root to chown";
  ASSERT_EQ(mkdir(dir_.c_str(), 0700), 0);
  ASSERT_EQ(chown(dir_.c_str(), 65534, 65534), 0);
  RecordingBackend b;
  StateStore store(dir_);
  UpResult r = Up(SeedPlan(), b, store);
  EXPECT_EQ(r.status.message(),
            dir_ + " belongs to another user; refusing to use it; nothing was changed");
  EXPECT_TRUE(b.calls().empty());
}

}  // namespace
}  // namespace topo
