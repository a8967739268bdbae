// The per-user directory of the rootless sandbox (sandbox/sandbox.h): where it
// is, and what it refuses. No privileges, no namespaces.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "sandbox/sandbox.h"

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

}  // namespace
}  // namespace topo
