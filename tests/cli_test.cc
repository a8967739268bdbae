// The command-line layer, through the real binary, for what needs no root:
// exit codes, output formats and usage errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testutil.h"

namespace topo {
namespace {

using testing::RunProcess;

testing::ProcessResult Topo(std::vector<std::string> args) {
  args.insert(args.begin(), testing::TopoBinary());
  return RunProcess(args);
}

const std::string kSeed = testing::SourcePath("topologies/server-router-client.yaml");
const std::string kBad = testing::SourcePath("tests/invalid/013-unknown-node.yaml");

TEST(CliTest, ValidateExitCodes) {
  EXPECT_EQ(Topo({"validate", kSeed}).status, 0);
  auto bad = Topo({"validate", kBad});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.output.find("error: unknown node 'rotuer' (did you mean 'router'?)"),
            std::string::npos)
      << bad.output;
  EXPECT_EQ(Topo({"validate", kSeed, kBad}).status, 2);
}

TEST(CliTest, ValidateStrictFailsOnWarnings) {
  std::string warn = testing::SourcePath("tests/invalid/030-no-common-subnet.yaml");
  EXPECT_EQ(Topo({"validate", warn}).status, 0);
  EXPECT_EQ(Topo({"validate", "--strict", warn}).status, 2);
}

TEST(CliTest, ValidateJsonIsOneArrayForAllFiles) {
  auto r = Topo({"validate", "--json", kSeed, kBad});
  EXPECT_EQ(r.status, 2);
  nlohmann::json j = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_TRUE(j.is_array()) << r.output;
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["line"], 12);
  EXPECT_EQ(j[0]["column"], 20);
  EXPECT_EQ(j[0]["severity"], "error");
}

TEST(CliTest, PlanFormats) {
  auto text = Topo({"plan", kSeed});
  EXPECT_EQ(text.status, 0);
  EXPECT_EQ(text.output,
            testing::ReadFile(testing::SourcePath("tests/golden/server-router-client.plan.txt")));
  auto json = Topo({"plan", "--json", kSeed});
  EXPECT_TRUE(nlohmann::json::parse(json.output, nullptr, false).is_object());
  auto down = Topo({"plan", "--format", "shell", "--teardown", kSeed});
  EXPECT_EQ(down.output,
            testing::ReadFile(testing::SourcePath("tests/golden/server-router-client.down.sh")));
}

TEST(CliTest, UsageErrors) {
  auto teardown = Topo({"plan", "--teardown", kSeed});
  EXPECT_EQ(teardown.status, 2);
  EXPECT_NE(teardown.output.find("--teardown goes with --format shell"), std::string::npos);
  auto verb = Topo({"valdate", kSeed});
  EXPECT_EQ(verb.status, 2);
  EXPECT_NE(verb.output.find("unknown command 'valdate' (did you mean 'validate'?)"),
            std::string::npos)
      << verb.output;
  auto missing = Topo({"validate", "/nonexistent/x.yaml"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.output.find("cannot read '/nonexistent/x.yaml': No such file or directory"),
            std::string::npos);
}

TEST(CliTest, HelpVerbShowsACommandsHelp) {
  auto up = Topo({"help", "up"});
  EXPECT_EQ(up.status, 0) << up.output;
  EXPECT_NE(up.output.find("--prefix"), std::string::npos) << up.output;
  EXPECT_NE(up.output.find("Bring"), std::string::npos) << up.output;
  auto all = Topo({"help"});
  EXPECT_EQ(all.status, 0);
  EXPECT_NE(all.output.find("validate"), std::string::npos) << all.output;
  auto bad = Topo({"help", "upp"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.output.find("unknown command 'upp' (did you mean 'up'?)"), std::string::npos)
      << bad.output;
}

TEST(CliTest, ADirectoryIsNotAnEmptyFile) {
  auto dir = Topo({"validate", "/tmp"});
  EXPECT_EQ(dir.status, 2);
  EXPECT_NE(dir.output.find("cannot read '/tmp': it is a directory"), std::string::npos)
      << dir.output;
  EXPECT_EQ(dir.output.find("empty"), std::string::npos) << dir.output;
}

TEST(CliTest, CountsAgreeWithTheirNouns) {
  auto plan = Topo({"plan", testing::SourcePath("topologies/host-attached.yaml")});
  EXPECT_EQ(plan.output.rfind("plan for lab 'host-attached': 1 namespace, 11 actions\n", 0), 0u)
      << plan.output;
}

TEST(CliTest, TabIndentationGetsAHint) {
  std::string path = "/tmp/topo-cli-tab-" + std::to_string(getpid()) + ".yaml";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("name: x\nnodes:\n  a:\n\tkind: host\n", f);
  std::fclose(f);
  auto r = Topo({"validate", path});
  std::remove(path.c_str());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("hint: line 4 is indented with a tab; YAML allows only spaces"),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace topo
