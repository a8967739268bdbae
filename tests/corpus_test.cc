// The corpus of invalid topologies: each tests/invalid/NNN-what.yaml is loaded
// under its relative name ("tests/invalid/NNN-what.yaml"), validated, and its
// diagnostics in Brief() form must equal tests/invalid/NNN-what.expected exactly.
// Every file starts with a comment saying what is wrong with it.
//
// To regenerate the .expected files after an intended change of messages:
//
//   TOPO_UPDATE_GOLDEN=1 ./build/tests/topo_unit_tests --gtest_filter='Corpus*'
//
// then read `git diff tests/invalid` line by line before keeping it: each line
// must name the right problem at the exact offending token.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "testutil.h"

namespace topo {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCorpusDir = "tests/invalid";

// The corpus files' names ("001-unknown-node.yaml"), sorted.
std::vector<std::string> CorpusFiles() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(testing::SourcePath(kCorpusDir), ec)) {
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool UpdateGolden() {
  const char* v = std::getenv("TOPO_UPDATE_GOLDEN");
  return v && std::string(v) == "1";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Both texts, then the lines only one of them has ("-" expected, "+" actual).
std::string Difference(const std::string& expected, const std::string& actual) {
  const std::vector<std::string> e = Lines(expected), a = Lines(actual);
  const std::multiset<std::string> es(e.begin(), e.end()), as(a.begin(), a.end());
  std::string out = "--- expected\n" + expected + "+++ actual\n" + actual + "--- differing lines\n";
  for (const std::string& l : e) {
    if (!as.count(l)) out += "- " + l + "\n";
  }
  for (const std::string& l : a) {
    if (!es.count(l)) out += "+ " + l + "\n";
  }
  out += "(if the new output is right: TOPO_UPDATE_GOLDEN=1, then review git diff tests/invalid)\n";
  return out;
}

std::string ExpectedPath(const std::string& yaml_name) {
  return testing::SourcePath(std::string(kCorpusDir) + "/" +
                             yaml_name.substr(0, yaml_name.size() - 5) + ".expected");
}

class CorpusTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusTest, MatchesExpected) {
  const std::string name = GetParam();
  const std::string relative = std::string(kCorpusDir) + "/" + name;
  const std::string text = testing::ReadFile(testing::SourcePath(relative));
  ASSERT_FALSE(text.empty()) << relative;
  EXPECT_EQ(text.rfind("#", 0), 0u)
      << relative << " should start with a comment saying what is wrong";

  DiagnosticList diags;
  std::optional<Topology> t = testing::ValidateText(text, &diags, relative);
  const std::string actual = testing::Brief(diags);
  EXPECT_FALSE(actual.empty()) << relative << " produces no diagnostics: it does not belong here";
  EXPECT_EQ(t.has_value(), !diags.has_errors()) << relative;

  const std::string expected_path = ExpectedPath(name);
  if (UpdateGolden()) {
    std::ofstream(expected_path, std::ios::binary) << actual;
    GTEST_SKIP() << "rewrote " << expected_path;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path << "\nactual:\n" << actual;
  const std::string expected = testing::ReadFile(expected_path);
  EXPECT_EQ(expected, actual) << relative << "\n" << Difference(expected, actual);
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param.substr(0, info.param.size() - 5);
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return "f" + n;
}

INSTANTIATE_TEST_SUITE_P(Invalid, CorpusTest, ::testing::ValuesIn(CorpusFiles()), TestName);

TEST(CorpusMetaTest, IsLargeAndComplete) {
  const std::vector<std::string> files = CorpusFiles();
  EXPECT_GE(files.size(), 100u);
  if (UpdateGolden()) GTEST_SKIP() << "the .expected files are being written";
  for (const std::string& f : files) {
    EXPECT_TRUE(fs::exists(ExpectedPath(f))) << f << " has no .expected";
  }
}

// A file with warnings only is still a usable topology.
TEST(CorpusMetaTest, WarningsOnlyFileYieldsTopology) {
  const std::string relative = std::string(kCorpusDir) + "/030-no-common-subnet.yaml";
  DiagnosticList diags;
  std::optional<Topology> t =
      testing::ValidateText(testing::ReadFile(testing::SourcePath(relative)), &diags, relative);
  ASSERT_TRUE(t.has_value()) << testing::Brief(diags);
  EXPECT_EQ(diags.error_count(), 0u);
  EXPECT_GT(diags.warning_count(), 0u);
  EXPECT_EQ(t->nodes.size(), 2u);
}

}  // namespace
}  // namespace topo
