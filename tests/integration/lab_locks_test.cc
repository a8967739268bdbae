// Issue #16, item 7: the store-wide lock is held only while names change
// owners; each lab has its own lock for the rest. So an `up` stopped with
// SIGSTOP (Ctrl-Z) in the middle of its lab blocks no other lab: another lab
// goes up, has a link changed and goes down meanwhile; then the stopped one
// resumes and finishes. Before the fix the second `topo up` waited for the
// store lock until `timeout` ended it. `down` and `set-link` of the stopped
// lab wait for its lock, and a signal ends their wait naming the holder.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::RunProcess;
using testing::TopoBinary;

const std::string kSeedFile = testing::SourcePath("topologies/server-router-client.yaml");

class LabLocksTest : public testing::LabFixture {
 protected:
  // `topo ARGS`, ended by `timeout` (SIGTERM, which ends a wait for a lock)
  // if it is still running after 60 s: a bound for a hang, not a timing claim.
  testing::ProcessResult Bounded(std::vector<std::string> args) {
    args.insert(args.begin(), TopoBinary());
    args.insert(args.begin(), "60");
    args.insert(args.begin(), "timeout");
    return RunProcess(args, env_);
  }
};

TEST_F(LabLocksTest, AStoppedUpBlocksNoOtherLab) {
  const std::string stuck = prefix_ + "server-router-client";
  const std::string other_prefix = prefix_ + "b";
  AddPrefix(other_prefix);
  const std::string other = other_prefix + "server-router-client";
  labs_ = {stuck, other};

  // `topo up` of the first lab, stopped by itself after 10 actions, holding its lab's lock.
  std::vector<std::string> env = env_;
  env.push_back("TOPO_TEST_STOP_AFTER=10");
  const pid_t pid =
      testing::StartUntilStopped({TopoBinary(), "up", "--prefix", prefix_, kSeedFile}, env);
  ASSERT_GT(pid, 0) << "topo up did not stop";
  int status = 0;

  // Meanwhile another lab: up, set-link, down.
  auto up = Bounded({"up", "--prefix", other_prefix, kSeedFile});
  EXPECT_EQ(up.status, 0) << up.output;
  auto set = Bounded({"set-link", "--lab", other, "client:vethC", "--rate", "10mbit"});
  EXPECT_EQ(set.status, 0) << set.output;
  auto down = Bounded({"down", other});
  EXPECT_EQ(down.status, 0) << down.output;
  // The same lab is still its own: another `up` of it waits, and says for whom.
  auto same =
      RunProcess({"timeout", "2", TopoBinary(), "up", "--prefix", prefix_, kSeedFile}, env_);
  EXPECT_NE(same.status, 0) << same.output;
  const std::string held = "interrupted while waiting for the lock on " + state_dir_ + "/locks/" +
                           stuck + ", held by process " + std::to_string(pid);
  EXPECT_NE(same.output.find(held), std::string::npos) << same.output;
  // So do its `down` and `set-link`, and SIGTERM ends their wait the same way
  // (before, `timeout` killed them without a word).
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"down", stuck}, {"set-link", "--lab", stuck, "client:vethC", "--rate", "10mbit"}}) {
    const std::string verb = args[0];
    args.insert(args.begin(), {"timeout", "2", TopoBinary()});
    auto waited = RunProcess(args, env_);
    EXPECT_NE(waited.status, 0) << verb << ": " << waited.output;
    EXPECT_NE(waited.output.find(held), std::string::npos) << verb << ": " << waited.output;
  }

  // The stopped `up` resumes and finishes its lab.
  kill(pid, SIGCONT);
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  auto st = Bounded({"status", stuck});
  EXPECT_EQ(st.status, 0) << st.output;
  auto down_stuck = Bounded({"down", stuck});
  EXPECT_EQ(down_stuck.status, 0) << down_stuck.output;
}

// Once `down` has begun removing a lab, a signal does not stop it halfway:
// SIGTERM to a `down` stopped after its first inverse, then SIGCONT: it
// finishes, exit 0, and the lab is gone (the fixture checks that nothing is
// left). Before, `down` had no handler and died of it, the lab half removed.
TEST_F(LabLocksTest, ASignalDuringDownDoesNotStopTheRemoval) {
  const std::string lab = prefix_ + "server-router-client";
  labs_ = {lab};
  auto up = Bounded({"up", "--prefix", prefix_, kSeedFile});
  ASSERT_EQ(up.status, 0) << up.output;
  std::vector<std::string> env = env_;
  env.push_back("TOPO_TEST_STOP_DOWN_AFTER=1");
  const pid_t pid = testing::StartUntilStopped({TopoBinary(), "down", lab}, env);
  ASSERT_GT(pid, 0) << "topo down did not stop";
  kill(pid, SIGTERM);
  kill(pid, SIGCONT);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(std::filesystem::exists("/run/netns/" + prefix_ + "router"));
  auto st = Bounded({"status", lab});
  EXPECT_NE(st.status, 0) << st.output;
}

}  // namespace
}  // namespace topo
