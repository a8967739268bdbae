// Children topo runs itself (iptables-restore) are recorded as started
// before they may run, and `down` ends one a killed topo left running (issue
// #16, item 8; kernel/children.h, lab/children.h). The integration test with
// a real iptables-restore that outlives a killed `up` is StandInFaultsTest.
// DownEndsAProgramThatOutlivedAKilledUp. No privileges needed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <string>
#include <vector>

#include "kernel/children.h"
#include "kernel/netns.h"
#include "lab/children.h"
#include "lab/lab.h"
#include "lab/state.h"
#include "support/recording_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

std::string Exe(pid_t pid) {
  char buf[PATH_MAX];
  ssize_t n = readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// Remembers what it was told; refuses when told to.
class Recorder : public ChildRecorder {
 public:
  Status Started(const ProcessIdentity& child) override {
    events.push_back("started");
    started = child;
    alive_at_start = ProcessAlive(child);
    exe_at_start = Exe(child.pid);
    return refuse ? Status::IOError("no space left") : Status::OK();
  }
  void Reaped(const ProcessIdentity& child) override {
    events.push_back(child == started ? "reaped" : "reaped another");
  }
  std::vector<std::string> events;
  ProcessIdentity started;
  bool alive_at_start = false, refuse = false;
  std::string exe_at_start;
};

TEST(ChildrenTest, AChildIsRecordedBeforeItRunsItsProgramAndWhenReaped) {
  Recorder recorder;
  std::string out;
  int rc;
  {
    ScopedChildRecorder scope(&recorder);
    rc = RunInNamespace(-1, {"/bin/cat"}, "hello", &out);
  }
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "hello");
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"started", "reaped"}));
  EXPECT_TRUE(recorder.alive_at_start);
  EXPECT_GT(recorder.started.start_time, 0u);
  // Still this program, not yet /bin/cat: it waits for the record.
  EXPECT_EQ(recorder.exe_at_start, Exe(getpid()));
  EXPECT_EQ(CurrentChildRecorder(), nullptr);
}

TEST(ChildrenTest, AChildThatCannotBeRecordedNeverRunsItsProgram) {
  testing::TempDir dir("topo-children");
  ASSERT_TRUE(dir.ok());
  Recorder recorder;
  recorder.refuse = true;
  ScopedChildRecorder scope(&recorder);
  std::string out;
  EXPECT_EQ(RunInNamespace(-1, {"/usr/bin/touch", dir / "ran"}, "", &out), -1);
  EXPECT_EQ(out, "cannot record the process for /usr/bin/touch before it runs: no space left");
  EXPECT_FALSE(std::filesystem::exists(dir / "ran"));
  EXPECT_EQ(recorder.events, (std::vector<std::string>{"started"}));
}

// A child that sleeps `seconds`, and its identity.
ProcessIdentity Sleeper(const char* seconds = "60") {
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sleep", "sleep", seconds, static_cast<char*>(nullptr));
    _exit(127);
  }
  ProcessIdentity id{pid, 0};
  EXPECT_TRUE(ProcessStartTime(pid, &id.start_time).ok());
  return id;
}

// True once `id`'s process has exited (reaped here: it is our child).
bool Exited(const ProcessIdentity& id) {
  return waitpid(id.pid, nullptr, WNOHANG) == id.pid || !ProcessAlive(id);
}

// An `up` killed while a child it recorded still ran: `down` ends the child
// (its start time matches) before it removes anything, and leaves a process
// that only has the pid of a recorded child (another start time).
TEST(ChildrenTest, DownEndsARecordedChildStillRunningAndNothingElse) {
  testing::TempDir dir("topo-children");
  ASSERT_TRUE(dir.ok());
  const ProcessIdentity orphan = Sleeper();
  const ProcessIdentity other = Sleeper();
  {
    StateStore store(dir.path());
    ASSERT_TRUE(store.Open().ok());
    Journal j;
    ASSERT_TRUE(store.CreateLab(testing::OneNamespacePlan(), &j).ok());
    ASSERT_TRUE(j.ChildStarted({other.pid, other.start_time + 1}).ok());
    ASSERT_TRUE(j.ChildStarted({4194304, 1}).ok());
    j.ChildReaped({4194304, 1});
    ASSERT_TRUE(j.ChildStarted(orphan).ok());
  }
  const std::string journal = testing::ReadFile(dir / "labs/one/journal");
  EXPECT_NE(journal.find("child " + orphan.ToString() + "\n"), std::string::npos) << journal;
  EXPECT_NE(journal.find("child-reaped 4194304 1\n"), std::string::npos) << journal;

  StateStore store(dir.path());
  LabRecord rec;
  ASSERT_TRUE(store.ReadLabForTeardown("one", &rec).ok());
  EXPECT_TRUE(rec.damage.empty());
  EXPECT_EQ(rec.children,
            (std::vector<ProcessIdentity>{{other.pid, other.start_time + 1}, orphan}));

  RecordingBackend b;
  DownResult down = Down("one", b, store);
  ASSERT_TRUE(down.status.ok()) << down.status.message();
  EXPECT_EQ(down.ended_children, 1u);
  EXPECT_TRUE(Exited(orphan));
  EXPECT_TRUE(ProcessAlive(other));
  kill(other.pid, SIGKILL);  // by the pid this test started, never by name
  waitpid(other.pid, nullptr, 0);
  waitpid(orphan.pid, nullptr, 0);
  EXPECT_FALSE(store.LabExists("one"));
}

TEST(ChildrenTest, EndRecordedChildrenLetsAChildFinishFirst) {
  const ProcessIdentity id = Sleeper("0.1");
  const pid_t pid = id.pid;
  size_t ended = 0;
  // A bound for a hang, not a timing claim: it exits by itself well within it.
  EXPECT_TRUE(EndRecordedChildren({id}, 30000, &ended).ok());
  EXPECT_EQ(ended, 1u);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status)) << "killed, not let finish";
}

}  // namespace
}  // namespace topo
