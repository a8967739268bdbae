// kernel/file_limit.h: room for the descriptors a big lab needs, and the
// limits topo started with for the programs it starts.
#include "kernel/file_limit.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace topo {
namespace {

rlimit Now() {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  return lim;
}

TEST(FileLimitTest, RaisesTheSoftLimitAndAChildGetsTheOriginalBack) {
  const rlimit before = Now();
  if (before.rlim_max < 64) GTEST_SKIP() << "hard limit below 64";
  // Start low, so that there is something to raise.
  rlimit low = before;
  low.rlim_cur = 32;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  ASSERT_TRUE(EnsureOpenFiles(48).ok());
  EXPECT_GE(Now().rlim_cur, 48u);
  EXPECT_TRUE(EnsureOpenFiles(40).ok());  // already room: nothing to do
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    RestoreOpenFileLimitForExec();
    _exit(Now().rlim_cur == 32 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child kept the raised limit";
  setrlimit(RLIMIT_NOFILE, &before);
}

TEST(FileLimitTest, MoreThanTheKernelAllowsIsAnErrorNamingTheLimit) {
  Status s = EnsureOpenFiles(size_t{1} << 40);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("open files"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace topo
