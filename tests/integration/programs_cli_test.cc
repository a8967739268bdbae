// Programs declared in a topology file, end to end: `topo up` starts them and
// returns once they are ready, `topo status` (text and --json) shows them,
// `topo logs` prints their output, `topo exec` sees the node's files and
// private directories, `topo down` stops them; a program that exits early
// fails `up` with its output; and topo::Lab starts them too, with Lab::Log.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "support/lab_fixture.h"
#include "support/temp_dir.h"
#include "testutil.h"
#include "topo/lab.h"

namespace topo {
namespace {

const char kLab[] = R"yaml(name: progs
nodes:
  server:
    kind: host
    interfaces: {eth0: [10.9.0.1/24]}
    dirs: [/srv/topo-it-www]
    files:
      /etc/topo-it/greeting: "hello {{node}}\n"
      /srv/topo-it-www/index.html: "served by {{node}}\n"
    programs:
      - name: web
        run: [/usr/bin/python3, -m, http.server, "8080", --directory, /srv/topo-it-www]
        env: {PYTHONUNBUFFERED: "1"}
        ready: {tcp: 8080, timeout: 20s}
  client:
    kind: host
    interfaces: {eth0: [10.9.0.2/24]}
    programs:
      - run: [sh, -c, "echo started on $(hostname); exec sleep 300"]
        ready: {log: started}
      - name: fetch
        run: [/usr/bin/python3, -c, "import urllib.request as u, time; print(u.urlopen('http://{{addr server:eth0}}:8080/').read().decode(), flush=True); time.sleep(300)"]
        after: [server/web]
        ready: {log: served by}
links:
  - [server:eth0, client:eth0]
)yaml";

class ProgramsCliTest : public testing::LabFixture {
 protected:
  void SetUp() override {
    LabFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    files_ = std::make_unique<testing::TempDir>("topo-it-yaml");
    ASSERT_TRUE(files_->ok());
    file_ = files_->path() + "/progs.yaml";
    lab_ = prefix_ + "progs";
    labs_.push_back(lab_);
  }
  void TearDown() override {
    LabFixture::TearDown();
    files_.reset();
  }
  void Write(const std::string& text) { std::ofstream(file_) << text; }

  std::unique_ptr<testing::TempDir> files_;
  std::string file_, lab_;
};

TEST_F(ProgramsCliTest, UpStatusLogsExecDown) {
  Write(kLab);
  auto r = Topo({"up", "--prefix", prefix_, file_});
  ASSERT_EQ(r.status, 0) << r.output;
  r = Topo({"status", lab_});
  EXPECT_NE(r.output.find("server/web"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("running (pid"), std::string::npos) << r.output;
  r = Topo({"status", "--json", lab_});
  nlohmann::json j = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_TRUE(j.is_array() && j.size() == 1) << r.output;
  ASSERT_EQ(j[0]["programs"].size(), 3u) << r.output;
  EXPECT_EQ(j[0]["programs"][0]["node"], "server");
  EXPECT_EQ(j[0]["programs"][0]["name"], "web");
  EXPECT_EQ(j[0]["programs"][0]["state"], "running");
  EXPECT_EQ(j[0]["programs"][0]["ready"], true);
  EXPECT_TRUE(j[0]["programs"][0]["pid"].is_number());

  r = Topo({"logs", "--lab", lab_, "client", "sh"});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "started on client\n");
  r = Topo({"logs", "--lab", lab_, "client"});  // both programs, prefixed
  EXPECT_NE(r.output.find("sh | started on client\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("fetch | served by server\n"), std::string::npos) << r.output;
  r = Topo({"logs", "--lab", lab_, "client", "nope"});
  EXPECT_EQ(r.status, 2) << r.output;
  r = Topo({"logs", "--lab", lab_, "server", "web"});
  EXPECT_NE(r.output.find("GET / HTTP"), std::string::npos) << r.output;

  r = Topo({"exec", "--lab", lab_, "server", "--", "cat", "/etc/topo-it/greeting",
            "/srv/topo-it-www/index.html"});
  EXPECT_EQ(r.output, "hello server\nserved by server\n");
  struct stat st;
  EXPECT_NE(stat("/etc/topo-it", &st), 0);  // only in the node's view
  EXPECT_NE(stat("/srv/topo-it-www", &st), 0);

  // A declared program that ends while the lab is up is drift.
  ASSERT_TRUE(j[0]["programs"][0]["pid"].is_number());
  const pid_t web = j[0]["programs"][0]["pid"].get<pid_t>();
  ASSERT_EQ(kill(web, SIGKILL), 0);
  std::string drift = "drift: program 'server/web' killed by signal 9";
  for (int i = 0; i < 200; ++i) {
    r = Topo({"status", lab_});
    if (r.output.find(drift) != std::string::npos) break;
    usleep(10000);
  }
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find(drift), std::string::npos) << r.output;

  r = Topo({"down", lab_});
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.find("ended"), std::string::npos) << r.output;
}

TEST_F(ProgramsCliTest, ExitingEarlyFailsUpWithItsOutput) {
  Write(R"(name: progs
nodes:
  h1:
    kind: host
    programs:
      - name: broken
        run: [sh, -c, "echo about to fail; echo no config found >&2; exit 2"]
        ready: {tcp: 80}
)");
  auto r = Topo({"up", "--prefix", prefix_, file_});
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("program 'h1/broken' exited with status 2 before it was ready"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("| no config found"), std::string::npos) << r.output;
  r = Topo({"status", lab_});
  EXPECT_NE(r.status, 0);  // rolled back: not up
}

class LabProgramsTest : public testing::LabFixture {};

TEST_F(LabProgramsTest, LabStartsProgramsAndShowsTheirLogs) {
  testing::ScopedStateDir state(state_dir_);
  Lab lab = Lab::FromYaml(R"(name: lab-progs
nodes:
  h1:
    kind: host
    programs:
      - name: echoer
        run: [sh, -c, "echo hello from {{node}} in {{lab}}; exec sleep 300"]
        ready: {log: hello}
)");
  lab.Up(prefix_);
  labs_.push_back(lab.name());
  EXPECT_EQ(lab.Log("h1", "echoer"), "hello from h1 in " + prefix_ + "lab-progs\n");
  EXPECT_THROW(lab.Log("h1", "other"), Error);
  lab.Down();
}

}  // namespace
}  // namespace topo
