// The Ansible playbook tools/ansible/lab.yml against simulated machines
// (machines_fixture.h), with the shipped inventory
// tools/ansible/inventory.simulated.yml: a local connection per machine and
// topo wrapped in `nsenter --net=/run/netns/MACHINE`. The playbook brings the
// shipped example up (one part per host), runs its checks from each machine
// and takes every part down; when one machine's part cannot come up (its
// underlay address is missing), the run fails and every part is still taken
// down. What is not tested here: the ssh transport, become, and copying to
// another machine (docs/machines.md says so).
//
// ansible-playbook comes from Debian's `ansible-core` (`tools/dev.sh test`
// installs it): with CI=true a missing one fails these tests, elsewhere they
// are skipped.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "machines_fixture.h"
#include "testutil.h"

namespace topo {
namespace {

const std::string kExample = testing::SourcePath("topologies/multi-machine.yaml");
const std::string kLab = "multi-machine";

using testing::Contains;

#define REQUIRE_ANSIBLE()                                                           \
  do {                                                                              \
    if (testing::RunProcess({"ansible-playbook", "--version"}).status != 0) {       \
      if (testing::InCi())                                                          \
        FAIL() << "ansible-playbook is missing (tools/dev.sh test installs "        \
                  "ansible-core)";                                                  \
      GTEST_SKIP() << "ansible-playbook is missing (apt-get install ansible-core)"; \
    }                                                                               \
  } while (0)

class MachinesAnsibleTest : public testing::MachinesFixture {
 protected:
  // ansible-playbook lab.yml on the simulated inventory, every part with the
  // test's prefix, state directory and topo binary; Ansible's own files in the
  // test's directory.
  testing::ProcessResult Playbook() {
    for (const std::string m : {"m1", "m2"}) Remember(m, kExample);
    const std::string dir = state_dir_ + "/ansible";
    const std::string vars =
        R"({"topo_file": ")" + kExample + R"(", "topo_bin": ")" + testing::TopoBinary() +
        R"(", "topo_args": ["--prefix", ")" + prefix_ + R"("], "topo_netns_prefix": ")" + prefix_ +
        R"(machine-", "topo_work_dir": ")" + dir +
        R"(", "topo_environment": {"TOPO_STATE_DIR": ")" + state_dir_ + R"("}})";
    return testing::RunProcess(
        {"ansible-playbook", "-i", testing::SourcePath("tools/ansible/inventory.simulated.yml"),
         testing::SourcePath("tools/ansible/lab.yml"), "-e", vars},
        {"HOME=" + dir, "ANSIBLE_HOME=" + dir + "/home", "ANSIBLE_LOCAL_TEMP=" + dir + "/tmp",
         "ANSIBLE_REMOTE_TEMP=" + dir + "/tmp", "ANSIBLE_NOCOLOR=1"});
  }

  void ExpectAllGone(const std::string& where) {
    ExpectPartGone(kLab, "m1", {"r1", "r2", "h1"}, where);
    ExpectPartGone(kLab, "m2", {"r3", "r4", "h3"}, where);
  }
};

TEST_F(MachinesAnsibleTest, PlaybookBringsTheExampleUpChecksItAndTakesItDown) {
  REQUIRE_ANSIBLE();
  MakeMachines({{"m1", "10.77.0.1/24"}, {"m2", "10.77.0.2/24"}});
  testing::ProcessResult r = Playbook();
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "PASS  ping h1 -> h3 (IPv6)")) << r.output;
  EXPECT_TRUE(Contains(r.output, "PASS  ping h3 -> h1 (IPv4)")) << r.output;
  EXPECT_FALSE(Contains(r.output, "failed=1")) << r.output;
  ExpectAllGone("after the playbook");
}

TEST_F(MachinesAnsibleTest, PlaybookTakesEveryPartDownWhenOneMachineFails) {
  REQUIRE_ANSIBLE();
  MakeMachines({{"m1", "10.77.0.1/24"}, {"m2", ""}});  // m2's `up` fails
  testing::ProcessResult r = Playbook();
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_TRUE(Contains(r.output, "the lab failed on")) << r.output;
  EXPECT_TRUE(Contains(r.output, "10.77.0.2")) << "m2's error is shown: " << r.output;
  ExpectAllGone("after the failed playbook");
}

}  // namespace
}  // namespace topo
