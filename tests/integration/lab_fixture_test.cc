// LabFixture's leak check, seen from outside: a test that leaves a namespace,
// an /etc/netns entry, a veth pair in the root namespace, a process in its
// lab's namespace and a process holding a namespace without a name runs in a
// child process; each leak is reported as a failure, and removed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::RunProcess;

// In the child: tells the parent it failed, and exits.
[[noreturn]] void Fail(int fd) {
  ssize_t n = write(fd, "x", 1);
  _exit(n == 1 ? 126 : 127);
}

// A child sleeping in the namespace at `path`, or in a new unnamed one when
// `path` is empty; returns once it runs `sleep` there (the close-on-exec
// pipe closes at the exec; a byte on it means the child failed).
pid_t SleepIn(const std::string& path) {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    if (path.empty()) {
      if (unshare(CLONE_NEWNET) != 0) Fail(ready[1]);
    } else {
      int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) Fail(ready[1]);
    }
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    execlp("sleep", "sleep", "300", nullptr);
    Fail(ready[1]);
  }
  close(ready[1]);
  char c;
  bool there = pid > 0 && read(ready[0], &c, 1) == 0;
  close(ready[0]);
  return there ? pid : -1;
}

class Leaks : public testing::LabFixture {
  void TestBody() override {
    const std::string tag = prefix_.substr(0, prefix_.size() - 1);
    std::cout << "leak-prefix " << prefix_ << "\nleak-tag " << tag << "\n";
    std::cout.flush();
    ASSERT_EQ(RunProcess({"ip", "netns", "add", prefix_ + "leak"}).status, 0);
    std::filesystem::create_directories("/etc/netns/" + prefix_ + "etc");
    ASSERT_EQ(
        RunProcess({"ip", "link", "add", tag + "a", "type", "veth", "peer", "name", tag + "b"})
            .status,
        0);
    ASSERT_GT(SleepIn("/run/netns/" + prefix_ + "leak"), 0);
    ASSERT_GT(SleepIn(""), 0);
  }
};

[[maybe_unused]] const bool kRegistered = [] {
  if (!std::getenv("TOPO_TEST_LEAK_ON_PURPOSE")) return false;
  ::testing::RegisterTest("LeaksOnPurpose", "Everything", nullptr, nullptr, __FILE__, __LINE__,
                          []() -> testing::LabFixture* { return new Leaks; });
  return true;
}();

TEST(LabFixtureLeakCheck, ReportsAndRemovesWhatATestLeftBehind) {
  TOPO_REQUIRE_ROOT();
  auto r = RunProcess({"/proc/self/exe", "--gtest_filter=LeaksOnPurpose.*"},
                      {"TOPO_TEST_LEAK_ON_PURPOSE=1"});
  std::string prefix, tag;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("leak-prefix ", 0) == 0) prefix = line.substr(12);
    if (line.rfind("leak-tag ", 0) == 0) tag = line.substr(9);
  }
  ASSERT_FALSE(prefix.empty()) << r.output;
  EXPECT_NE(r.status, 0) << r.output;
  for (const std::string& report :
       {"namespace " + prefix + "leak left behind", "/etc/netns/" + prefix + "etc left behind",
        "interface " + tag + "a left behind", "interface " + tag + "b left behind"}) {
    EXPECT_NE(r.output.find(report), std::string::npos) << report << "\n" << r.output;
  }
  EXPECT_NE(r.output.find("(sleep) left in a namespace of the lab"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(sleep) keeps a network namespace alive without a name"),
            std::string::npos)
      << r.output;
  // Removed, by exact name, whatever the outcome above.
  std::error_code ec;
  EXPECT_FALSE(std::filesystem::exists("/run/netns/" + prefix + "leak", ec));
  EXPECT_FALSE(std::filesystem::exists("/etc/netns/" + prefix + "etc", ec));
  EXPECT_EQ(if_nametoindex((tag + "a").c_str()), 0u);
  EXPECT_FALSE(std::filesystem::exists("/sys/class/net/" + tag + "b", ec));
  RunProcess({"ip", "netns", "del", prefix + "leak"});
  std::filesystem::remove_all("/etc/netns/" + prefix + "etc", ec);
  RunProcess({"ip", "link", "del", "dev", tag + "a"});
}

}  // namespace
}  // namespace topo
