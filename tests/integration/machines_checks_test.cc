// TCP checks across two simulated machines (machines_fixture.h): a check
// whose target node is on the other machine connects to topo's listener
// there, which that machine's `topo test --machine` opens (ServeChecks) while
// its own checks run. The parts' tests run at about the same time, as a
// playbook runs them: m1's starts first, its probes retry (a default
// `within`) until m2's test listens; m2's probe finds m1's listener at once;
// each side says what it listened for. m2's share runs from the checks
// stored with its part (`test --lab`). A crossing check whose other side
// never listens fails after its `within`.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "machines_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::Contains;

constexpr const char* kNodes = R"(machines:
  m1: {address: 10.77.0.1}
  m2: {address: 10.77.0.2}
nodes:
  a: {machine: m1, interfaces: {e: [10.0.79.1/24, "fd00:79::1/64"]}}
  b: {machine: m2, interfaces: {e: [10.0.79.2/24, "fd00:79::2/64"]}}
links:
  - [a:e, b:e]
)";

class MachinesChecksTest : public testing::MachinesFixture {
 protected:
  // The lab with `checks`, as file `file` in the state directory.
  std::string WriteLab(const std::string& file, const std::string& checks) {
    std::string path = state_dir_ + "/" + file;
    std::ofstream(path) << "name: tcpx\n" << kNodes << "checks:\n" << checks;
    return path;
  }
};

TEST_F(MachinesChecksTest, TcpChecksCrossMachinesToTopoListeningOnTheOtherOne) {
  MakeMachines({{"m1", "10.77.0.1/24"}, {"m2", "10.77.0.2/24"}});
  if (HasFatalFailure()) return;
  const std::string file = WriteLab("tcpx.yaml", R"(  - {from: a, to: b, tcp: 8080, family: 4}
  - {from: a, to: b, tcp: 8080, family: 6, within: 20s}
  - {from: a, to: b, family: 6}
  - {from: b, to: a, tcp: 9090}
)");
  for (const std::string m : {"m1", "m2"}) {
    testing::ProcessResult r = Part("up", m, file);
    ASSERT_EQ(r.status, 0) << m << ": " << r.output;
  }

  // m1's test first; m2's a little later, from the checks stored with its part.
  auto m1 = std::async(std::launch::async, [&] { return Part("test", "m1", file); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  testing::ProcessResult m2 = TopoOn("m2", {"test", "--lab", PartName("tcpx", "m2")});
  testing::ProcessResult r1 = m1.get();

  EXPECT_EQ(r1.status, 0) << r1.output;
  EXPECT_TRUE(Contains(r1.output, "3 checks, 3 passed, 0 failed")) << r1.output;
  EXPECT_TRUE(
      Contains(r1.output, "PASS  tcp a -> b:8080 (IPv4): connected to topo on machine 'm2'"))
      << r1.output;
  EXPECT_TRUE(Contains(r1.output, "attempts)")) << "retried until m2 listened: " << r1.output;
  EXPECT_TRUE(Contains(r1.output, "listening here for 1 check of other machines")) << r1.output;
  EXPECT_TRUE(Contains(r1.output,
                       "listened for check 'tcp b -> a:9090' of machine 'm2': "
                       "connected from 10.0.79.2"))
      << r1.output;

  EXPECT_EQ(m2.status, 0) << m2.output;
  EXPECT_TRUE(Contains(m2.output, "1 check, 1 passed, 0 failed")) << m2.output;
  EXPECT_TRUE(Contains(m2.output, "PASS  tcp b -> a:9090: connected to topo on machine 'm1'"))
      << m2.output;
  EXPECT_TRUE(Contains(m2.output, "listening here for 2 checks of other machines")) << m2.output;
  EXPECT_TRUE(Contains(m2.output, "of machine 'm1': connected from 10.0.79.1")) << m2.output;
  EXPECT_TRUE(Contains(m2.output, "of machine 'm1': connected from fd00:79::1")) << m2.output;

  // Nobody listens on m2: the check fails once its `within` is up.
  const std::string alone =
      WriteLab("alone.yaml", "  - {from: a, to: b, tcp: 8081, within: 1s, timeout: 500ms}\n");
  testing::ProcessResult r = Part("test", "m1", alone);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(Contains(r.output, "FAIL  tcp a -> b:8081")) << r.output;
  EXPECT_TRUE(Contains(r.output, "1 check, 0 passed, 1 failed")) << r.output;

  for (const std::string m : {"m1", "m2"}) {
    testing::ProcessResult down = Part("down", m, file);
    EXPECT_EQ(down.status, 0) << m << ": " << down.output;
  }
  ExpectPartGone("tcpx", "m1", {"a"}, "after down of m1");
  ExpectPartGone("tcpx", "m2", {"b"}, "after down of m2");
}

}  // namespace
}  // namespace topo
