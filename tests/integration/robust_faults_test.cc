// Faults with the real kernel: objects removed behind topo's back before
// `down`, a full or read-only state directory, and SIGKILL at random moments
// of `up` and of `down`, each followed by `topo down`. See robust_fixture.h
// for the rounds (a few here, many under the stress label).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "kernel/netlink_backend.h"
#include "robust_fixture.h"

namespace topo {
namespace {

using testing::NetnsExists;
using testing::Rounds;
using testing::SeedFile;

class RobustFaultTest : public testing::RobustTest {};

TEST_F(RobustFaultTest, ObjectsRemovedBehindTopoBackAreDriftAndDownStillSucceeds) {
  const std::string p = NewPrefix();
  const std::string lab = p + "server-router-client";
  ASSERT_EQ(Topo({"up", "--prefix", p, SeedFile()}).status, 0);
  {
    // By hand, through the netns API, not through topo's journal.
    NetlinkBackend hand;
    ASSERT_TRUE(hand.DeleteVeth(p + "client", "vethC").ok());
    ASSERT_TRUE(hand.DeleteNamespace(p + "server").ok());
  }
  auto status = Topo({"status", lab});
  EXPECT_EQ(status.status, 1) << status.output;
  for (const std::string& drift : {"drift: namespace '" + p + "server' is gone",
                                   "drift: interface '" + p + "client:vethC' is gone",
                                   "drift: interface '" + p + "router:veth-cli' is gone"}) {
    EXPECT_NE(status.output.find(drift), std::string::npos) << drift << "\n" << status.output;
  }
  auto down = Topo({"down", lab});
  EXPECT_EQ(down.status, 0) << down.output;
  EXPECT_NE(down.output.find("already gone: delete namespace " + p + "server"), std::string::npos)
      << down.output;
  ExpectNothingLeft(p, "after down");
}

// A tmpfs the test mounts (and unmounts) as the state directory's parent.
class TmpfsStateTest : public testing::RobustTest {
 protected:
  void MountTmpfs(const std::string& options, unsigned long flags = 0) {
    mount_ = state_dir_ + "/mnt";
    ASSERT_EQ(mkdir(mount_.c_str(), 0700), 0);
    ASSERT_EQ(mount("topo-test", mount_.c_str(), "tmpfs", flags, options.c_str()), 0)
        << strerror(errno);
    mounted_ = true;
    env_ = {"TOPO_STATE_DIR=" + mount_ + "/state"};
  }
  void TearDown() override {
    if (mounted_) umount2(mount_.c_str(), MNT_DETACH);
    RobustTest::TearDown();
  }
  // up must fail with `error` before creating any namespace.
  void ExpectUpRefused(const std::string& error) {
    const std::string p = NewPrefix();
    auto up = Topo({"up", "--prefix", p, SeedFile()});
    EXPECT_EQ(up.status, 1) << up.output;
    EXPECT_NE(up.output.find(error), std::string::npos) << up.output;
    EXPECT_NE(up.output.find("nothing was changed"), std::string::npos) << up.output;
    ExpectNothingLeft(p, "after a refused up");
  }
  std::string mount_;
  bool mounted_ = false;
};

TEST_F(TmpfsStateTest, FullDiskRefusesBeforeTouchingTheKernel) {
  MountTmpfs("size=64k,mode=0700");
  ASSERT_EQ(mkdir((mount_ + "/state").c_str(), 0700), 0);
  {
    // Fill it up.
    std::ofstream fill(mount_ + "/fill", std::ios::binary);
    std::string block(4096, 'x');
    for (int i = 0; i < 64 && fill.write(block.data(), block.size()); ++i) {
    }
  }
  ExpectUpRefused("No space left on device");
}

TEST_F(TmpfsStateTest, ReadOnlyStateDirectoryRefusesBeforeTouchingTheKernel) {
  MountTmpfs("size=64k,mode=0700");
  ASSERT_EQ(mkdir((mount_ + "/state").c_str(), 0700), 0);
  ASSERT_EQ(mount("topo-test", mount_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr), 0)
      << strerror(errno);
  ExpectUpRefused("Read-only file system");
}

// Where a kill landed, judged from the state directory afterwards.
enum Landing { kBefore, kMidway, kAfter };

class SigkillTest : public testing::RobustTest {
 protected:
  Landing Landed(const std::string& lab, bool up) {
    const std::string dir = state_dir_ + "/labs/" + lab;
    std::error_code ec;
    if (!std::filesystem::exists(dir + "/plan.json", ec)) return up ? kBefore : kAfter;
    const std::string journal = testing::ReadFile(dir + "/journal");
    const bool complete = journal.find("complete\n") != std::string::npos;
    if (up) return complete ? kAfter : kMidway;
    // down: midway once a namespace is gone but the lab is still recorded.
    for (const std::string& node : testing::SeedNodes()) {
      if (!NetnsExists(lab.substr(0, lab.size() - std::string("server-router-client").size()) +
                       node)) {
        return kMidway;
      }
    }
    return kBefore;
  }
  std::mt19937 rng_{std::random_device{}()};
};

TEST_F(SigkillTest, SigkillAtRandomMomentsOfUpThenDownLeavesNothing) {
  const std::string probe = NewPrefix();
  long up_us = 0;
  {
    std::vector<long> t;
    for (int i = 0; i < 3; ++i) {
      auto start = std::chrono::steady_clock::now();
      Topo({"up", "--prefix", probe, SeedFile()});
      t.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count());
      Topo({"down", probe + "server-router-client"});
    }
    std::sort(t.begin(), t.end());
    up_us = t[1];
  }
  const int rounds = Rounds(5, 60);
  int landed[3] = {0, 0, 0};
  for (int round = 0; round < rounds; ++round) {
    const std::string p = NewPrefix();
    const std::string lab = p + "server-router-client";
    std::uniform_int_distribution<long> delay(0, up_us);
    pid_t pid = SpawnTopo({"up", "--prefix", p, SeedFile()});
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::microseconds(delay(rng_)));
    kill(pid, SIGKILL);
    Wait(pid);
    ++landed[Landed(lab, true)];
    auto down = Topo({"down", lab});
    EXPECT_EQ(down.status, 0) << "round " << round << "\n" << down.output;
    ExpectNothingLeft(p, "round " + std::to_string(round));
  }
  std::cout << "[ sigkill ] up: " << rounds << " kills, " << landed[kBefore]
            << " before the lab was recorded, " << landed[kMidway] << " mid-way, " << landed[kAfter]
            << " after it was complete (up takes " << up_us << " us)\n";
}

TEST_F(SigkillTest, SigkillAtRandomMomentsOfDownThenDownLeavesNothing) {
  const std::string probe = NewPrefix();
  long down_us = 0;
  {
    std::vector<long> t;
    for (int i = 0; i < 3; ++i) {
      Topo({"up", "--prefix", probe, SeedFile()});
      auto start = std::chrono::steady_clock::now();
      Topo({"down", probe + "server-router-client"});
      t.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count());
    }
    std::sort(t.begin(), t.end());
    down_us = t[1];
  }
  const int rounds = Rounds(5, 60);
  int landed[3] = {0, 0, 0};
  for (int round = 0; round < rounds; ++round) {
    const std::string p = NewPrefix();
    const std::string lab = p + "server-router-client";
    ASSERT_EQ(Topo({"up", "--prefix", p, SeedFile()}).status, 0);
    std::uniform_int_distribution<long> delay(0, down_us);
    pid_t pid = SpawnTopo({"down", lab});
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::microseconds(delay(rng_)));
    kill(pid, SIGKILL);
    Wait(pid);
    ++landed[Landed(lab, false)];
    auto down = Topo({"down", lab});
    EXPECT_EQ(down.status, 0) << "round " << round << "\n" << down.output;
    ExpectNothingLeft(p, "round " + std::to_string(round));
  }
  std::cout << "[ sigkill ] down: " << rounds << " kills, " << landed[kBefore]
            << " before any namespace was removed, " << landed[kMidway] << " mid-way, "
            << landed[kAfter] << " after it finished (down takes " << down_us << " us)\n";
}

}  // namespace
}  // namespace topo
