// The journal's batching (lines of actions a namespace deletion undoes may wait
// in memory; every other line, and whatever waited before it, is written at
// once), and the teardown shortcut its header allows.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "kernel/backend_wrapper.h"
#include "lab/lab.h"
#include "lab/state.h"
#include "support/recording_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    dir_ = tmp_.path();
    path_ = dir_ + "/journal";
  }
  testing::TempDir tmp_{"topo-journal"};
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

// Two namespaces joined by a veth, with an address and a route in each.
Plan TwoNamespaces() {
  Plan p;
  p.lab = p.topology = "pair";
  p.namespaces = {"a", "b"};
  for (const char* ns : {"a", "b"}) {
    Action a;
    a.kind = ActionKind::kCreateNamespace;
    a.ns = a.node = ns;
    p.actions.push_back(a);
  }
  Action veth;
  veth.kind = ActionKind::kCreateVeth;
  veth.ns = veth.node = "a";
  veth.ifname = "x";
  veth.set_peer_ns("b");
  veth.set_peer_node("b");
  veth.set_peer_ifname("y");
  p.actions.push_back(veth);
  for (const char* ns : {"a", "b"}) {
    Action up;
    up.kind = ActionKind::kSetLinkUp;
    up.ns = up.node = ns;
    up.ifname = ns == std::string("a") ? "x" : "y";
    p.actions.push_back(up);
  }
  return p;
}

TEST_F(JournalTest, TeardownOfACompleteLabReadsOnlyItsNamespaces) {
  Plan p = TwoNamespaces();
  RecordingBackend b;
  StateStore store(dir_);
  ASSERT_TRUE(Up(p, b, store).status.ok());
  store.Unlock();
  std::string journal = testing::ReadFile(dir_ + "/labs/pair/journal");
  EXPECT_EQ(journal.substr(0, journal.find('\n')), "plan 5 namespaces-only");

  LabRecord rec;
  ASSERT_TRUE(store.ReadLabForTeardown("pair", &rec).ok());
  EXPECT_TRUE(rec.complete);
  EXPECT_EQ(rec.plan.namespaces, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(rec.plan.actions.size(), 2u);
  EXPECT_EQ(rec.plan.actions[1].kind, ActionKind::kCreateNamespace);
  EXPECT_EQ(rec.plan.actions[1].ns, "b");
  EXPECT_EQ(rec.omitted, 3u);

  DownResult down = Down("pair", b, store);
  ASSERT_TRUE(down.status.ok()) << down.status.message();
  EXPECT_EQ(down.report.undone, 2u);
  EXPECT_EQ(down.report.skipped, 3u);
  EXPECT_TRUE(b.Empty());
}

TEST_F(JournalTest, TeardownOfAnIncompleteLabReadsThePlan) {
  Plan p = TwoNamespaces();
  StateStore store(dir_);
  ASSERT_TRUE(store.Open().ok());
  Journal j;
  ASSERT_TRUE(store.CreateLab(p, &j).ok());
  ASSERT_TRUE(j.Done(0).ok());
  LabRecord rec;
  ASSERT_TRUE(store.ReadLabForTeardown("pair", &rec).ok());
  EXPECT_FALSE(rec.complete);
  EXPECT_EQ(rec.plan.actions.size(), 5u);
  EXPECT_EQ(rec.omitted, 0u);
  EXPECT_EQ(rec.maybe_in_progress, 1u);
}

TEST_F(JournalTest, ActionsOutsideTheLabsNamespacesDisableTheShortcut) {
  Plan p = TwoNamespaces();
  p.actions[2].set_peer_ns("elsewhere");
  StateStore store(dir_);
  ASSERT_TRUE(store.Open().ok());
  Journal j;
  ASSERT_TRUE(store.CreateLab(p, &j).ok());
  for (size_t i = 0; i < p.actions.size(); ++i) ASSERT_TRUE(j.Done(i).ok());
  ASSERT_TRUE(j.Complete().ok());
  std::string journal = testing::ReadFile(dir_ + "/labs/pair/journal");
  EXPECT_EQ(journal.substr(0, journal.find('\n')), "plan 5");
  LabRecord rec;
  ASSERT_TRUE(store.ReadLabForTeardown("pair", &rec).ok());
  EXPECT_TRUE(rec.complete);
  EXPECT_EQ(rec.plan.actions.size(), 5u);
}

// Issue #16 item 9: when a write under /etc/netns starts, the journal on
// disk must already name it as the action in progress (the lines DoneLater
// kept are written first), so that `down` after a crash during it removes
// the file, its temporaries and its directory. Before, it named an earlier
// action, and the write was never undone.
class JournalOnDiskAtEtcWrites : public BackendWrapper {
 public:
  JournalOnDiskAtEtcWrites(Backend* target, const StateStore* store, const std::string& lab)
      : BackendWrapper(target), store_(store), lab_(lab) {}
  Status WriteEtcFile(const std::string& ns, const std::string& name, const std::string& content,
                      const std::string& link_from_ns, std::string* note) override {
    LabRecord rec;
    EXPECT_TRUE(store_->ReadLab(lab_, &rec).ok());
    in_progress.push_back(rec.maybe_in_progress.value_or(SIZE_MAX));
    return BackendWrapper::WriteEtcFile(ns, name, content, link_from_ns, note);
  }
  std::vector<size_t> in_progress;

 private:
  const StateStore* store_;
  std::string lab_;
};

TEST_F(JournalTest, AtEachEtcWriteTheJournalOnDiskNamesItInProgress) {
  const Plan p = testing::ShippedPlan("topologies/server-router-client.yaml");
  RecordingBackend real;
  StateStore store(dir_);
  JournalOnDiskAtEtcWrites b(&real, &store, p.lab);
  ASSERT_TRUE(Up(p, b, store).status.ok());
  std::vector<size_t> expected;
  for (size_t i = 0; i < p.actions.size(); ++i) {
    if (p.actions[i].kind == ActionKind::kWriteEtcFile) expected.push_back(i);
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(b.in_progress, expected);
}

}  // namespace
}  // namespace topo
