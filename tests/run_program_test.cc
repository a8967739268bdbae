// Programs topo runs (kernel/netns.h's RunInNamespace) die with topo. Before
// the fix an iptables-restore left running by a SIGKILLed `up` could add its
// rule after `down` had removed the lab (issue #16, item 8). Here a helper
// process runs `sleep` through RunInNamespace and is SIGKILLed; the sleep
// must go too. No privileges needed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "kernel/netns.h"
#include "testutil.h"

namespace topo {
namespace {

// True while `pid` exists and is not a zombie.
bool Alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

TEST(RunProgramTest, TheProgramDiesWithTopo) {
  char tmpl[] = "/tmp/topo-child-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string pid_file = dir + "/pid";
  pid_t helper = fork();
  if (helper == 0) {
    std::string out;
    RunInNamespace(-1,
                   {"/bin/sh", "-c",
                    "echo $$ > " + pid_file + ".tmp && mv " + pid_file + ".tmp " + pid_file +
                        " && exec sleep 60"},
                   "", &out);
    _exit(0);
  }
  ASSERT_GT(helper, 0);
  pid_t child = 0;
  for (int i = 0; i < 1000 && child == 0; ++i) {
    std::ifstream in(pid_file);
    if (!(in >> child)) {
      child = 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ASSERT_GT(child, 0) << "the program did not start";
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let it exec sleep
  kill(helper, SIGKILL);
  int status = 0;
  waitpid(helper, &status, 0);
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = !Alive(child);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "the program outlived the process that started it";
  if (!gone) kill(child, SIGKILL);  // by the pid we were given, never by name
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace topo
