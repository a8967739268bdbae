// Up/down cycles back to back through the library in this process, so its own
// file descriptors and memory can be counted: nothing may grow with the number
// of cycles. Kernel objects are counted by this test's prefix (other tests may
// run beside it): after each `down` no namespace file and no mount of ours is
// left. Durations of the first and last cycles are printed, never asserted.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "front/validate.h"
#include "kernel/netlink_backend.h"
#include "kernel/processes.h"
#include "lab/lab.h"
#include "plan/compile.h"
#include "robust_fixture.h"

namespace topo {
namespace {

using testing::Rounds;
using testing::SeedFile;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

size_t CountEntries(const std::string& dir) {
  size_t n = 0;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

size_t CountLinesContaining(const std::string& file, const std::string& needle) {
  std::ifstream in(file);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

size_t CountNetnsWithPrefix(const std::string& prefix) {
  size_t n = 0;
  if (DIR* d = opendir("/run/netns")) {
    while (dirent* e = readdir(d)) n += std::string(e->d_name).rfind(prefix, 0) == 0;
    closedir(d);
  }
  return n;
}

long ResidentKb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// A child sleeping in the namespace mounted at `path`, stdio on /dev/null.
pid_t StartSleepIn(const std::string& path) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  int ns = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) _exit(126);
  int null = open("/dev/null", O_RDWR);
  dup2(null, 0);
  dup2(null, 1);
  dup2(null, 2);
  execlp("sleep", "sleep", "300", nullptr);
  _exit(127);
}

class RobustCyclesTest : public testing::RobustTest {};

TEST_F(RobustCyclesTest, UpDownCyclesLeakNoFdsMountsNamespacesProcessesOrMemory) {
  const std::string p = NewPrefix();
  Document doc;
  DiagnosticList diags;
  ValidateOptions vo;
  vo.prefix = p;
  auto t = LoadAndValidate(SeedFile(), vo, &doc, &diags);
  ASSERT_TRUE(t);
  const Plan plan = Compile(*t, SeedFile());

  const int cycles = Rounds(30, 500);
  const int warmup = 5;
  size_t fds_after_warmup = 0;
  long rss_after_warmup = 0;
  double first_ms = 0, last_ms = 0;
  const int window = 5;
  for (int i = 0; i < cycles; ++i) {
    auto start = std::chrono::steady_clock::now();
    {
      NetlinkBackend backend;
      StateStore store(state_dir_);
      UpResult up = Up(plan, backend, store);
      ASSERT_TRUE(up.status.ok()) << "cycle " << i << ": " << up.status.message();
      store.Unlock();
      // A process started in the lab behind its back: `down` must end it, and
      // then nothing holds the lab's namespaces (none lives on without a name).
      std::vector<NsIdentity> ids;
      for (const std::string& ns : plan.namespaces) {
        NsIdentity id;
        ASSERT_TRUE(NamespaceIdentity("/run/netns/" + ns, &id).ok()) << ns;
        ids.push_back(id);
      }
      pid_t stray = StartSleepIn("/run/netns/" + plan.namespaces[0]);
      ASSERT_GT(stray, 0);
      for (int wait = 0; wait < 500 && ProcessesInNamespaces(ids).empty(); ++wait) usleep(1000);
      DownResult down = Down(plan.lab, backend, store);
      waitpid(stray, nullptr, 0);
      ASSERT_TRUE(down.status.ok()) << "cycle " << i << ": " << down.status.message();
      EXPECT_EQ(down.report.ended_processes, 1u) << "cycle " << i;
      ASSERT_TRUE(ProcessesInNamespaces(ids).empty()) << "cycle " << i;
    }
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (i >= warmup && i < warmup + window) first_ms += ms / window;
    if (i >= cycles - window) last_ms += ms / window;
    ASSERT_EQ(CountNetnsWithPrefix(p), 0u) << "cycle " << i;
    ASSERT_EQ(CountLinesContaining("/proc/self/mountinfo", "/run/netns/" + p), 0u) << "cycle " << i;
    if (i + 1 == warmup) {
      fds_after_warmup = CountEntries("/proc/self/fd");
      rss_after_warmup = ResidentKb();
    }
  }
  const size_t fds = CountEntries("/proc/self/fd");
  const long rss = ResidentKb();
  EXPECT_EQ(fds, fds_after_warmup) << "file descriptors leaked";
  // Allocator noise is far below this; a leak of even a few hundred bytes per
  // cycle over the stress run's 500 cycles is not. (Under ASan, freed memory
  // sits in quarantine and RSS grows; LeakSanitizer checks leaks there.)
  if (!kAddressSanitizer) {
    EXPECT_LT(rss - rss_after_warmup, 2048)
        << "resident memory grew by " << rss - rss_after_warmup << " kB";
  }
  std::cout << "[ cycles ] " << cycles << " up/down cycles of the seed lab in-process: fds "
            << fds_after_warmup << " -> " << fds << ", RSS " << rss_after_warmup << " -> " << rss
            << " kB, cycle " << first_ms << " ms (cycles " << warmup << "-" << warmup + window
            << ") vs " << last_ms << " ms (last " << window << ")\n";
}

}  // namespace
}  // namespace topo
