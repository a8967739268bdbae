// The fast `down` (lab/namespaces_only.h) of an ordinary lab: /etc/netns
// files (hosts for every node, resolv.conf for one with `dns`), a node's
// private directory and stored file, a program still running and a stray
// process started with `topo exec`. Its journal says "namespaces-only";
// `down` leaves nothing: no namespace, no /etc/netns directory, no node
// directory or state record, no process. And `down` killed after each inverse
// it performs (TOPO_TEST_STOP_DOWN_AFTER, cli/test_hooks.h), then `down`
// again, leaves nothing either. The leak check of LabFixture runs after each
// test as well.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "kernel/processes.h"
#include "support/lab_fixture.h"
#include "support/temp_dir.h"
#include "testutil.h"

namespace topo {
namespace {

using testing::TopoBinary;

const char kLab[] = R"yaml(name: fastdown
nodes:
  r:
    kind: router
    interfaces: {a: [10.61.1.1/24], b: [10.61.2.1/24]}
  web:
    interfaces: {eth0: [10.61.1.2/24]}
    routes: [{to: default, via: 10.61.1.1}]
    dns: [10.61.1.1]
    dirs: [/srv/topo-it-fast]
    files:
      /srv/topo-it-fast/index.html: "hello from {{node}}\n"
    programs:
      - name: idle
        run: [sh, -c, "echo started; exec sleep 300"]
        ready: {log: started}
        stop_timeout: 1s
  cli:
    interfaces: {eth0: [10.61.2.2/24]}
    routes: [{to: default, via: 10.61.2.1}]
links:
  - [r:a, web:eth0]
  - [r:b, cli:eth0]
)yaml";

const std::vector<std::string> kNodes = {"r", "web", "cli"};

class FastDownTest : public testing::LabFixture {
 protected:
  void SetUp() override {
    LabFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(files_.ok());
    std::ofstream(file_ = files_.path() + "/fastdown.yaml") << kLab;
    labs_.push_back(lab_ = prefix_ + "fastdown");
  }

  // Brings the lab up, starts a stray process in `cli`, and returns the
  // namespaces' identities and the program's pid.
  void UpWithAStray(std::vector<NsIdentity>* ids, pid_t* program) {
    auto r = Topo({"up", "--prefix", prefix_, file_});
    ASSERT_EQ(r.status, 0) << r.output;
    const std::string journal = testing::ReadFile(state_dir_ + "/labs/" + lab_ + "/journal");
    ASSERT_TRUE(journal.substr(0, journal.find('\n')).ends_with(" namespaces-only")) << journal;
    r = Topo(
        {"exec", "--lab", lab_, "cli", "--", "sh", "-c", "sleep 301 </dev/null >/dev/null 2>&1 &"});
    ASSERT_EQ(r.status, 0) << r.output;
    ids->clear();
    for (const std::string& node : kNodes) {
      NsIdentity id;
      ASSERT_TRUE(NamespaceIdentity("/run/netns/" + prefix_ + node, &id).ok()) << node;
      ids->push_back(id);
    }
    r = Topo({"status", "--json", lab_});
    nlohmann::json j = nlohmann::json::parse(r.output, nullptr, false);
    ASSERT_TRUE(j.is_array() && j.size() == 1) << r.output;
    ASSERT_EQ(j[0]["programs"].size(), 1u) << r.output;
    *program = j[0]["programs"][0].value("pid", 0);
    ASSERT_GT(*program, 0) << r.output;
  }

  // Nothing of the lab is left: namespaces, /etc/netns directories, its state
  // (with the node's files), processes in its namespaces, the program.
  void ExpectNothingLeft(const std::vector<NsIdentity>& ids, pid_t program,
                         const std::string& where) {
    std::error_code ec;
    for (const std::string& node : kNodes) {
      EXPECT_FALSE(std::filesystem::exists("/run/netns/" + prefix_ + node, ec)) << where << node;
      EXPECT_FALSE(std::filesystem::exists("/etc/netns/" + prefix_ + node, ec)) << where << node;
    }
    EXPECT_FALSE(std::filesystem::exists(state_dir_ + "/labs/" + lab_, ec)) << where;
    EXPECT_TRUE(ProcessesInNamespaces(ids).empty()) << where;
    EXPECT_NE(kill(program, 0), 0) << where << ": the program (pid " << program << ") runs";
  }

  testing::TempDir files_{"topo-it-yaml"};
  std::string file_, lab_;
};

TEST_F(FastDownTest, ALabWithFilesAProgramAndAStrayGoesWithNothingLeft) {
  std::vector<NsIdentity> ids;
  pid_t program = 0;
  UpWithAStray(&ids, &program);
  if (HasFatalFailure()) return;
  std::error_code ec;
  ASSERT_TRUE(std::filesystem::exists("/etc/netns/" + prefix_ + "web/resolv.conf", ec));
  ASSERT_TRUE(std::filesystem::exists(
      state_dir_ + "/labs/" + lab_ + "/nodes/web/fs/srv/topo-it-fast/index.html", ec));
  // The program, its monitor and the stray.
  ASSERT_EQ(ProcessesInNamespaces(ids).size(), 3u);

  auto r = Topo({"down", lab_});
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("lab '" + lab_ + "' is down"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ended 1 process"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("already gone"), std::string::npos) << r.output;
  ExpectNothingLeft(ids, program, "after down");
}

TEST_F(FastDownTest, SigkillAfterEachStepOfDownThenDownLeavesNothing) {
  int kills = 0;
  for (int n = 1; n < 50; ++n) {
    std::vector<NsIdentity> ids;
    pid_t program = 0;
    UpWithAStray(&ids, &program);
    if (HasFatalFailure()) return;
    std::vector<std::string> env = env_;
    env.push_back("TOPO_TEST_STOP_DOWN_AFTER=" + std::to_string(n));
    const std::string where = "killed after " + std::to_string(n) + ": ";
    pid_t pid = testing::StartUntilStopped({TopoBinary(), "down", lab_}, env);
    if (pid < 0) {
      // It ran to the end: every step was a kill point once.
      ExpectNothingLeft(ids, program, "not stopped: ");
      // The program, 4 files under /etc/netns, 3 namespaces.
      EXPECT_EQ(n, 9) << "kill points";
      break;
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    ++kills;
    auto r = Topo({"down", lab_});
    EXPECT_EQ(r.status, 0) << where << r.output;
    ExpectNothingLeft(ids, program, where);
  }
  std::cout << "[ sigkill ] fast down: " << kills
            << " kills, each followed by `topo down`: nothing left\n";
}

}  // namespace
}  // namespace topo
