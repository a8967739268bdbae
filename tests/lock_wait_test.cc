// Waiting for the store lock (issue #16, item 7): a signal topo catches ends
// the wait, and the message names who holds the lock and since when. Before
// the fix flock() was retried on EINTR: Ctrl-C, SIGTERM and `timeout` did
// nothing while another topo held the lock (one stopped with Ctrl-Z blocked
// every lab). No privileges needed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "lab/lab.h"
#include "lab/state.h"
#include "support/recording_backend.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

void OnAlarm(int) {}

TEST(LockWaitTest, ASignalEndsTheWaitAndTheHolderIsNamed) {
  char tmpl[] = "/tmp/topo-lock-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  {
    StateStore holder(dir);
    ASSERT_TRUE(holder.Open().ok());
    ASSERT_TRUE(holder.Lock().ok());
    int report[2];
    ASSERT_EQ(pipe(report), 0);
    pid_t waiter = fork();
    if (waiter == 0) {
      close(report[0]);
      struct sigaction sa = {};
      sa.sa_handler = OnAlarm;  // caught, without SA_RESTART: as topo's cancel handlers
      sigaction(SIGALRM, &sa, nullptr);
      alarm(1);
      StateStore store(dir);
      Status s = store.Open();
      if (s.ok()) s = store.Lock();
      std::string msg = (s.IsInterrupted() ? "interrupted: " : "other: ") + s.message();
      ssize_t ignored = write(report[1], msg.data(), msg.size());
      (void)ignored;
      _exit(0);
    }
    close(report[1]);
    // The flock is per open file: the forked waiter does not share ours.
    bool done = false;
    int status = 0;
    for (int i = 0; i < 1000 && !done; ++i) {  // a bound for a hang, not a timing claim
      done = waitpid(waiter, &status, WNOHANG) == waiter;
      if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!done) {
      kill(waiter, SIGKILL);
      waitpid(waiter, &status, 0);
    }
    EXPECT_TRUE(done) << "the wait for the lock ignored the signal";
    std::string msg;
    char buf[512];
    ssize_t n;
    while ((n = read(report[0], buf, sizeof(buf))) > 0) msg.append(buf, static_cast<size_t>(n));
    close(report[0]);
    if (done) {
      EXPECT_EQ(msg.rfind("interrupted: interrupted while waiting for the lock on " + dir +
                              "/lock, held by process " + std::to_string(getpid()),
                          0),
                0u)
          << msg;
      EXPECT_NE(msg.find(" since 20"), std::string::npos) << msg;
    }
  }
  std::filesystem::remove_all(dir);
}

// The last lock `down` takes, to remove the record of a lab whose objects it
// has removed, is not interruptible: a signal then does not leave the lab
// half removed. The waiter's alarm handler says when it fired; only then is
// the lock released, and the wait must have gone on.
int alarm_pipe = -1;
void OnAlarmReport(int) {
  ssize_t ignored = write(alarm_pipe, "a", 1);
  (void)ignored;
}

TEST(LockWaitTest, AnUninterruptibleWaitOutlastsTheSignal) {
  testing::TempDir dir("topo-lock");
  ASSERT_TRUE(dir.ok());
  StateStore holder(dir.path());
  ASSERT_TRUE(holder.Open().ok());
  ASSERT_TRUE(holder.Lock().ok());
  int fired[2], report[2];
  ASSERT_EQ(pipe(fired), 0);
  ASSERT_EQ(pipe(report), 0);
  pid_t waiter = fork();
  if (waiter == 0) {
    close(fired[0]);
    close(report[0]);
    holder.Unlock();  // our copy of its descriptor: the lock stays the parent's
    alarm_pipe = fired[1];
    struct sigaction sa = {};
    sa.sa_handler = OnAlarmReport;  // caught, without SA_RESTART
    sigaction(SIGALRM, &sa, nullptr);
    alarm(1);
    StateStore store(dir.path());
    Status s = store.Open();
    if (s.ok()) s = store.Lock(/*interruptible=*/false);
    const std::string msg = s.ok() ? "locked" : s.message();
    ssize_t ignored = write(report[1], msg.data(), msg.size());
    (void)ignored;
    _exit(0);
  }
  close(fired[1]);
  close(report[1]);
  char c = 0;
  EXPECT_EQ(read(fired[0], &c, 1), 1) << "the alarm never fired";
  holder.Unlock();
  std::string msg;
  char buf[512];
  ssize_t n;
  while ((n = read(report[0], buf, sizeof(buf))) > 0) msg.append(buf, static_cast<size_t>(n));
  close(fired[0]);
  close(report[0]);
  int status = 0;
  waitpid(waiter, &status, 0);
  EXPECT_EQ(msg, "locked");
}

// A signal that came before `down` had its lab's lock (so it interrupted no
// wait) is seen once the lock is held: nothing is removed, the lab stays up.
TEST(LockWaitTest, ACancelBeforeDownHoldsTheLockRemovesNothing) {
  testing::TempDir dir("topo-lock");
  ASSERT_TRUE(dir.ok());
  Plan p = testing::OneNamespacePlan();
  RecordingBackend b;
  StateStore store(dir.path());
  ASSERT_TRUE(Up(p, b, store).status.ok());
  std::atomic<bool> cancel{true};
  DownOptions options;
  options.cancel = &cancel;
  DownResult r = Down("one", b, store, options);
  EXPECT_TRUE(r.status.IsInterrupted()) << r.status.message();
  EXPECT_EQ(r.status.message(), "interrupted before lab 'one' was touched; nothing was removed");
  EXPECT_TRUE(store.LabExists("one"));
  EXPECT_TRUE(b.NamespaceExists("a"));
  ASSERT_TRUE(Down("one", b, store).status.ok());
  EXPECT_TRUE(b.Empty());
}

}  // namespace
}  // namespace topo
