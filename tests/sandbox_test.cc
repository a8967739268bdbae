// The per-user directory of the rootless sandbox (sandbox/sandbox.h): where it
// is, and what it refuses. No privileges, no namespaces.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "sandbox/internal.h"
#include "sandbox/sandbox.h"
#include "support/temp_dir.h"

namespace topo {
namespace {

class UserDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/topo-userdir-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    xdg_ = tmpl;
    if (const char* old = std::getenv("XDG_RUNTIME_DIR")) old_ = old;
    setenv("XDG_RUNTIME_DIR", xdg_.c_str(), 1);
  }
  void TearDown() override {
    unlink((xdg_ + "/topo").c_str());
    rmdir((xdg_ + "/topo").c_str());
    rmdir((xdg_ + "/elsewhere").c_str());
    rmdir(xdg_.c_str());
    if (old_.empty()) {
      unsetenv("XDG_RUNTIME_DIR");
    } else {
      setenv("XDG_RUNTIME_DIR", old_.c_str(), 1);
    }
  }
  std::string xdg_, old_;
};

TEST_F(UserDirTest, IsAPrivateTopoDirectoryUnderXdgRuntimeDir) {
  std::string dir;
  ASSERT_TRUE(sandbox::UserDir(&dir).ok());
  EXPECT_EQ(dir, xdg_ + "/topo");
  struct stat st;
  ASSERT_EQ(lstat(dir.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(UserDirTest, RefusesASymlinkInItsPlace) {
  ASSERT_EQ(mkdir((xdg_ + "/elsewhere").c_str(), 0700), 0);
  ASSERT_EQ(symlink("elsewhere", (xdg_ + "/topo").c_str()), 0);
  std::string dir;
  Status s = sandbox::UserDir(&dir);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a directory"), std::string::npos) << s.message();
}

TEST_F(UserDirTest, FallsBackWhenXdgRuntimeDirIsOpenToOthers) {
  ASSERT_EQ(chmod(xdg_.c_str(), 0755), 0);
  const std::string fallback = "/tmp/topo-" + std::to_string(geteuid());
  struct stat st;
  const bool existed = lstat(fallback.c_str(), &st) == 0;
  std::string dir;
  ASSERT_TRUE(sandbox::UserDir(&dir).ok());
  EXPECT_EQ(dir, fallback);
  if (!existed) rmdir(fallback.c_str());
}

// Each setting that forbids user namespaces is named in the refusal, with its fix.
TEST(ExplainRefusalTest, NamesTheSettingThatForbidsUserNamespaces) {
  testing::TempDir dir("topo-procsys");
  ASSERT_EQ(mkdir((dir.path() + "/kernel").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((dir.path() + "/user").c_str(), 0755), 0);
  auto set = [&](const std::string& key, const std::string& value) {
    std::ofstream(dir.path() + "/" + key) << value << "\n";
  };
  set("kernel/unprivileged_userns_clone", "1");
  set("user/max_user_namespaces", "15000");
  set("kernel/apparmor_restrict_unprivileged_userns", "0");
  auto explain = [&](int err) {
    return sandbox::ExplainRefusal("unshare: Operation not permitted", err, dir.path());
  };
  EXPECT_NE(explain(EPERM).find("seccomp"), std::string::npos) << explain(EPERM);
  EXPECT_NE(explain(ENOSPC).find("user.max_user_namespaces is reached"), std::string::npos);

  set("kernel/apparmor_restrict_unprivileged_userns", "1");
  EXPECT_NE(explain(EPERM).find("kernel.apparmor_restrict_unprivileged_userns = 1"),
            std::string::npos)
      << explain(EPERM);
  EXPECT_NE(explain(EPERM).find("docs/ROOTLESS.md"), std::string::npos);

  set("user/max_user_namespaces", "0");
  EXPECT_NE(explain(EPERM).find("user.max_user_namespaces = 0"), std::string::npos)
      << explain(EPERM);
  EXPECT_NE(explain(EPERM).find("sudo sysctl -w user.max_user_namespaces=15000"),
            std::string::npos);

  set("kernel/unprivileged_userns_clone", "0");
  const std::string msg = explain(EPERM);
  EXPECT_EQ(msg.rfind("cannot make a rootless sandbox (unshare: Operation not permitted): ", 0), 0u)
      << msg;
  EXPECT_NE(msg.find("kernel.unprivileged_userns_clone = 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sudo sysctl -w kernel.unprivileged_userns_clone=1"), std::string::npos);
}

// A holder.pid naming a process that has exited (a zombie not yet reaped, or
// gone) or another process with that pid is no holder to join.
TEST(HolderTest, AZombieOrAReusedPidIsNoHolder) {
  pid_t sleeper = fork();
  ASSERT_GE(sleeper, 0);
  if (sleeper == 0) {
    pause();
    _exit(0);
  }
  unsigned long long start = 0;
  ASSERT_TRUE(sandbox::ProcessStartTime(sleeper, &start));
  EXPECT_TRUE(sandbox::IsLiveHolder(sleeper, start));
  EXPECT_FALSE(sandbox::IsLiveHolder(sleeper, start + 1));  // another process, same pid
  kill(sleeper, SIGKILL);
  // Until it is reaped, the process is a zombie: still in /proc, with its start time.
  for (int i = 0; i < 200; ++i) {
    std::ifstream in("/proc/" + std::to_string(sleeper) + "/stat");
    std::string line;
    std::getline(in, line);
    if (line.find(") Z ") != std::string::npos) break;
    usleep(5000);
  }
  EXPECT_FALSE(sandbox::IsLiveHolder(sleeper, start));
  waitpid(sleeper, nullptr, 0);
  EXPECT_FALSE(sandbox::IsLiveHolder(sleeper, start));
}

}  // namespace
}  // namespace topo
