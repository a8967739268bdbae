// Hostile input too big to check in: multi-megabyte files, a hundred thousand
// nodes, a million YAML nodes. Each is generated here, refused with a clear
// error and a hint naming the environment variable that raises the limit.
// Also: the limits' environment overrides, and every corpus file rendered for
// people and as JSON without an exception (a file with invalid UTF-8 once
// aborted `topo validate --json`).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "front/load.h"
#include "front/validate.h"
#include "testutil.h"
#include "topo/lab.h"

namespace topo {
namespace {

namespace fs = std::filesystem;

std::string LabWithNodes(size_t n) {
  std::string yaml = "name: big\nnodes:\n";
  yaml.reserve(n * 16);
  for (size_t i = 0; i < n; ++i) yaml += "  n" + std::to_string(i) + ": {}\n";
  return yaml;
}

// Writes `text` to a fresh temporary file; removed by the destructor.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char tmpl[] = "/tmp/topo-hostile-XXXXXX";
    int fd = mkstemp(tmpl);
    path_ = tmpl;
    if (fd >= 0) close(fd);
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(HostileInputTest, FileOverSixteenMebibytesIsRefusedWithoutReadingItAll) {
  std::string text = "name: lab\nnodes:\n  a: {}\n# ";
  text.append(17u << 20, 'x');
  TempFile f(text);
  Document doc;
  DiagnosticList diags(f.path());
  EXPECT_FALSE(LoadFile(f.path(), &doc, &diags));
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].message, "file is larger than the limit of 16777216 bytes");
  EXPECT_EQ(diags.items()[0].hint, "set TOPO_MAX_BYTES to allow bigger files");
}

TEST(HostileInputTest, HundredThousandNodesAreRefusedBeforeValidation) {
  DiagnosticList diags;
  EXPECT_FALSE(testing::ValidateText(LabWithNodes(100'000), &diags, "big.yaml"));
  EXPECT_EQ(testing::Brief(diags),
            "big.yaml:3:3: error: lab has 100000 nodes, more than the limit of 10000\n");
}

TEST(HostileInputTest, MillionYamlNodesAreRefused) {
  std::string yaml = "name: lab\nnodes:\n  a: {}\njunk: [";
  for (int i = 0; i < 1'000'001; ++i) yaml += "1,";
  yaml += "1]\n";
  Document doc;
  DiagnosticList diags("flat.yaml");
  EXPECT_FALSE(LoadText("flat.yaml", yaml, &doc, &diags));
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].message, "document expands to more than 1000000 nodes");
}

TEST(HostileInputTest, MegabyteNameIsRefusedAsTooLong) {
  const std::string name(4u << 20, 'n');
  DiagnosticList diags;
  EXPECT_FALSE(testing::ValidateText("name: " + name + "\nnodes:\n  a: {}\n", &diags, "n.yaml"));
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_NE(diags.items()[0].message.find("is longer than 64 bytes"), std::string::npos);
}

TEST(HostileInputTest, RaisedLimitAcceptsALargerLab) {
  Document doc;
  DiagnosticList diags("big.yaml");
  LoadLimits limits;
  limits.max_lab_nodes = 20'000;
  EXPECT_TRUE(LoadText("big.yaml", LabWithNodes(12'000), &doc, &diags, limits));
  EXPECT_TRUE(diags.empty());
  EXPECT_TRUE(Validate(doc, {}, &diags).has_value()) << testing::Brief(diags);
}

class LimitsEnvTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* v :
         {"TOPO_MAX_BYTES", "TOPO_MAX_DEPTH", "TOPO_MAX_YAML_NODES", "TOPO_MAX_NODES"}) {
      unsetenv(v);
    }
  }
};

TEST_F(LimitsEnvTest, DefaultsWithoutEnvironment) {
  std::string error;
  LoadLimits l = LoadLimitsFromEnvironment(&error);
  EXPECT_EQ(error, "");
  EXPECT_EQ(l.max_bytes, 16u << 20);
  EXPECT_EQ(l.max_depth, 64);
  EXPECT_EQ(l.max_nodes, 1'000'000u);
  EXPECT_EQ(l.max_lab_nodes, 10'000u);
}

TEST_F(LimitsEnvTest, EnvironmentOverridesEachLimit) {
  setenv("TOPO_MAX_BYTES", "1024", 1);
  setenv("TOPO_MAX_DEPTH", "8", 1);
  setenv("TOPO_MAX_YAML_NODES", "500", 1);
  setenv("TOPO_MAX_NODES", "200000", 1);
  std::string error;
  LoadLimits l = LoadLimitsFromEnvironment(&error);
  EXPECT_EQ(error, "");
  EXPECT_EQ(l.max_bytes, 1024u);
  EXPECT_EQ(l.max_depth, 8);
  EXPECT_EQ(l.max_nodes, 500u);
  EXPECT_EQ(l.max_lab_nodes, 200'000u);
}

TEST_F(LimitsEnvTest, JunkValuesAreRefused) {
  for (const char* junk : {"lots", "-1", "0", "12k", " 5", "99999999999999999999999"}) {
    setenv("TOPO_MAX_DEPTH", junk, 1);
    std::string error;
    LoadLimitsFromEnvironment(&error);
    EXPECT_EQ(error, std::string("TOPO_MAX_DEPTH='") + junk + "' is not a positive number");
  }
}

TEST(HostileInputCliTest, LimitsComeFromTheEnvironment) {
  const std::string seed = testing::SourcePath("topologies/server-router-client.yaml");
  auto r = testing::RunProcess({testing::TopoBinary(), "validate", seed}, {"TOPO_MAX_NODES=2"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("error: lab has 3 nodes, more than the limit of 2"), std::string::npos)
      << r.output;
  r = testing::RunProcess({testing::TopoBinary(), "validate", seed}, {"TOPO_MAX_BYTES=100"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("error: file is larger than the limit of 100 bytes"), std::string::npos)
      << r.output;
  r = testing::RunProcess({testing::TopoBinary(), "validate", seed}, {"TOPO_MAX_NODES=many"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("TOPO_MAX_NODES='many' is not a positive number"), std::string::npos);
  r = testing::RunProcess({testing::TopoBinary(), "validate", seed}, {"TOPO_MAX_NODES=3"});
  EXPECT_EQ(r.status, 0) << r.output;
}

// Every way in goes through the session (lab/session.h), so every verb and
// the library honour the same limits; `graph` and topo::Lab once did not.
TEST(HostileInputCliTest, GraphHonoursTheLimits) {
  const std::string seed = testing::SourcePath("topologies/server-router-client.yaml");
  auto r = testing::RunProcess({testing::TopoBinary(), "graph", seed}, {"TOPO_MAX_NODES=2"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("error: lab has 3 nodes, more than the limit of 2"), std::string::npos)
      << r.output;
  r = testing::RunProcess({testing::TopoBinary(), "graph", seed}, {"TOPO_MAX_NODES=many"});
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("TOPO_MAX_NODES='many' is not a positive number"), std::string::npos);
  r = testing::RunProcess({testing::TopoBinary(), "graph", seed}, {"TOPO_MAX_NODES=3"});
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(LimitsEnvTest, LabApiHonoursTheLimits) {
  const std::string seed = testing::SourcePath("topologies/server-router-client.yaml");
  setenv("TOPO_MAX_NODES", "2", 1);
  try {
    Lab::Load(seed);
    ADD_FAILURE() << "a lab over TOPO_MAX_NODES was loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lab has 3 nodes, more than the limit of 2"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(Lab::FromYaml(LabWithNodes(3)), Error);
  EXPECT_NO_THROW(Lab::FromYaml(LabWithNodes(2)));
  setenv("TOPO_MAX_BYTES", "100", 1);
  try {
    Lab::Load(seed);
    ADD_FAILURE() << "a file over TOPO_MAX_BYTES was loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("file is larger than the limit of 100 bytes"),
              std::string::npos)
        << e.what();
  }
  setenv("TOPO_MAX_NODES", "many", 1);
  try {
    Lab::FromYaml(LabWithNodes(1));
    ADD_FAILURE() << "a junk TOPO_MAX_NODES was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "TOPO_MAX_NODES='many' is not a positive number");
  }
}

TEST(EscapeForTerminalTest, EscapesWhatATerminalActsOnAndKeepsPrintableUtf8) {
  EXPECT_EQ(EscapeForTerminal("plain 'name'"), "plain 'name'");
  EXPECT_EQ(EscapeForTerminal("r\xd0\xbeuter \xc3\xa9"), "r\xd0\xbeuter \xc3\xa9");  // kept
  EXPECT_EQ(EscapeForTerminal("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(EscapeForTerminal("a\tb"), "a\\x09b");
  EXPECT_EQ(EscapeForTerminal("a\tb", /*keep_tabs=*/true), "a\tb");
  EXPECT_EQ(EscapeForTerminal("\x7f"), "\\x7f");
  EXPECT_EQ(EscapeForTerminal("\xc2\x85"), "\\xc2\\x85");           // C1 control NEL
  EXPECT_EQ(EscapeForTerminal("\xe2\x80\xae"), "\\xe2\\x80\\xae");  // right-to-left override
  EXPECT_EQ(EscapeForTerminal("\xe2\x81\xa6"), "\\xe2\\x81\\xa6");  // left-to-right isolate
  EXPECT_EQ(EscapeForTerminal("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(EscapeForTerminal("\xe0\x80\x80"), "\\xe0\\x80\\x80");  // overlong
  EXPECT_EQ(EscapeForTerminal("\xf5\x91\x90"), "\\xf5\\x91\\x90");  // found by the fuzzer
  EXPECT_EQ(EscapeForTerminal("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(EscapeForTerminal("\xff"), "\\xff");
  EXPECT_EQ(EscapeForTerminal("\xe2\x82"), "\\xe2\\x82");  // truncated
}

// What `topo validate` and `topo validate --json` do with each corpus file:
// no exception, valid UTF-8 JSON, no raw control bytes for the terminal.
TEST(HostileInputTest, EveryCorpusFileRendersSafely) {
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(testing::SourcePath("tests/invalid"))) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    const std::string text = testing::ReadFile(entry.path());
    DiagnosticList diags;
    testing::ValidateText(text, &diags, entry.path().filename().string());
    const std::string human = FormatDiagnostics(diags, text);
    for (unsigned char c : human) {
      EXPECT_TRUE(c == '\n' || c == '\t' || c >= 0x20) << entry.path() << "\n" << human;
      if (!(c == '\n' || c == '\t' || c >= 0x20)) break;
    }
    std::string json;
    EXPECT_NO_THROW(json = DiagnosticsToJson(diags).dump()) << entry.path();
    EXPECT_TRUE(nlohmann::json::accept(json)) << entry.path();
  }
  EXPECT_GE(files, 100u);
}

}  // namespace
}  // namespace topo
