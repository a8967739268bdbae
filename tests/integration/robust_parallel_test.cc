// Many labs side by side: N copies of the seed lab brought up by N `topo up`
// processes at once, every ping of each checked, all brought down at once; and
// many processes racing to bring up one lab: one wins, the others fail fast
// and the winner is unharmed.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

#include "robust_fixture.h"

namespace topo {
namespace {

using testing::Rounds;
using testing::SeedFile;

class RobustParallelTest : public testing::RobustTest {};

TEST_F(RobustParallelTest, ManyCopiesOfTheSeedLabUpAtOnceAllWorkAndAllGo) {
  const int n = Rounds(20, 50);
  std::vector<std::string> prefixes;
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) prefixes.push_back(NewPrefix());
  for (const std::string& p : prefixes)
    pids.push_back(SpawnTopo({"up", "--prefix", p, SeedFile()}));
  for (int i = 0; i < n; ++i) EXPECT_EQ(Wait(pids[i]), 0) << "up of " << prefixes[i];

  int pings = 0;
  for (const std::string& p : prefixes) {
    const std::string lab = p + "server-router-client";
    auto status = Topo({"status", lab});
    EXPECT_EQ(status.status, 0) << status.output;
    // Through the router both ways, and through SNAT.
    for (auto [node, address] : {std::pair{"server", "2.2.2.2"}, std::pair{"client", "1.1.1.1"},
                                 std::pair{"client", "10.0.1.2"}}) {
      auto r = Topo({"exec", "--lab", lab, node, "--", "ping", "-c", "1", "-W", "2", address});
      EXPECT_EQ(r.status, 0) << lab << " " << node << " -> " << address << "\n" << r.output;
      ++pings;
    }
  }
  pids.clear();
  for (const std::string& p : prefixes)
    pids.push_back(SpawnTopo({"down", p + "server-router-client"}));
  for (int i = 0; i < n; ++i) EXPECT_EQ(Wait(pids[i]), 0) << "down of " << prefixes[i];
  for (const std::string& p : prefixes) ExpectNothingLeft(p, "after the parallel down");
  std::cout << "[ parallel ] " << n << " labs up at once, " << pings << " pings, all down\n";
}

TEST_F(RobustParallelTest, RacingUpsOfOneLabOneWinsTheRestFailAndTheWinnerIsUnharmed) {
  const int n = Rounds(8, 20);
  const std::string p = NewPrefix();
  const std::string lab = p + "server-router-client";
  std::vector<pid_t> pids;
  for (int i = 0; i < n; ++i) pids.push_back(SpawnTopo({"up", "--prefix", p, SeedFile()}));
  int won = 0, failed = 0;
  for (pid_t pid : pids) {
    int status = Wait(pid);
    won += status == 0;
    failed += status == 1;
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(failed, n - 1);
  // A different lab that wants one of the winner's namespaces fails too.
  const std::string other = state_dir_ + "/other.yaml";
  std::ofstream(other) << "name: other\nnodes:\n  router: {}\n";
  auto clash = Topo({"up", "--prefix", p, other});
  EXPECT_EQ(clash.status, 1) << clash.output;
  EXPECT_NE(clash.output.find("belongs to lab '" + lab + "'"), std::string::npos) << clash.output;

  auto status = Topo({"status", lab});
  EXPECT_EQ(status.status, 0) << status.output;
  auto ping = Topo({"exec", "--lab", lab, "server", "--", "ping", "-c", "1", "-W", "2", "2.2.2.2"});
  EXPECT_EQ(ping.status, 0) << ping.output;
  EXPECT_EQ(Topo({"down", lab}).status, 0);
  ExpectNothingLeft(p, "after down");
  std::cout << "[ parallel ] " << n << " racing ups of one lab: " << won << " won, " << failed
            << " refused\n";
}

}  // namespace
}  // namespace topo
