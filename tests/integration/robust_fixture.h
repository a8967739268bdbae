// Shared by the robustness tests (robust_*_test.cc): a LabFixture that hands
// out further unique prefixes, runs `topo` in the background, and checks that
// nothing of a prefix's seed lab is left. The same sources build the integration tests (a few
// rounds) and, with TOPO_STRESS=1, the stress tests (many rounds).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo::testing {

#ifdef TOPO_STRESS
constexpr bool kStress = true;
#else
constexpr bool kStress = false;
#endif

// `small` rounds in the integration suite, `large` under the stress label.
constexpr int Rounds(int small, int large) { return kStress ? large : small; }

inline const std::string& SeedFile() {
  static const std::string path = SourcePath("topologies/server-router-client.yaml");
  return path;
}
inline const std::vector<std::string>& SeedNodes() {
  static const std::vector<std::string> nodes = {"server", "router", "client"};
  return nodes;
}

inline bool NetnsExists(const std::string& ns) {
  struct stat st;
  return lstat(("/run/netns/" + ns).c_str(), &st) == 0;
}

// The leak check, the state directory and the environment are LabFixture's.
class RobustTest : public LabFixture {
 protected:
  // A new prefix whose namespaces TearDown checks and removes.
  std::string NewPrefix() {
    std::string prefix = UniquePrefix();
    AddPrefix(prefix);
    return prefix;
  }

  // Starts `topo ARGS` with the fixture's environment, output discarded; returns its pid.
  pid_t SpawnTopo(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {TopoBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_t pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      for (const std::string& e : env_) putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> cargv;
      for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
      cargv.push_back(nullptr);
      execv(cargv[0], cargv.data());
      _exit(127);
    }
    return pid;
  }

  // Waits for `pid`; returns its exit status, or 128 + signal.
  static int Wait(pid_t pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // No namespace of the seed lab with `prefix` exists, and no lab is recorded.
  void ExpectNothingLeft(const std::string& prefix, const std::string& where) {
    for (const std::string& node : SeedNodes()) {
      EXPECT_FALSE(NetnsExists(prefix + node)) << where << ": " << prefix + node;
    }
    std::error_code ec;
    EXPECT_FALSE(
        std::filesystem::exists(state_dir_ + "/labs/" + prefix + "server-router-client", ec))
        << where;
  }
};

}  // namespace topo::testing
