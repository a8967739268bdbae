// Shared by the robustness tests (robust_*_test.cc): a fixture that owns a
// private state directory and a set of unique prefixes, runs `topo` with them,
// and removes by exact name, even when a test fails, every namespace its labs
// could have created. The same sources build the integration tests (a few
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

class RobustTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TOPO_REQUIRE_ROOT();
    char tmpl[] = "/tmp/topo-robust-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    state_dir_ = tmpl;
    env_ = {"TOPO_STATE_DIR=" + state_dir_};
  }

  void TearDown() override {
    if (state_dir_.empty()) return;
    for (const std::string& p : prefixes_) {
      for (const std::string& node : SeedNodes()) {
        if (NetnsExists(p + node)) {
          ADD_FAILURE() << "namespace " << p + node << " left behind";
          RunProcess({"ip", "netns", "del", p + node});
        }
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(state_dir_, ec);
  }

  // A new prefix whose seed-lab namespaces TearDown checks and removes.
  std::string NewPrefix() {
    prefixes_.push_back(UniquePrefix());
    return prefixes_.back();
  }

  ProcessResult Topo(std::vector<std::string> args) {
    args.insert(args.begin(), TopoBinary());
    return RunProcess(args, env_);
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

  std::string state_dir_;
  std::vector<std::string> env_, prefixes_;
};

}  // namespace topo::testing
