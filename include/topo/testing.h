// topo::testing::LabTest is a GoogleTest fixture around topo::Lab: each test
// gets its own copy of a lab, brought up in SetUp under a unique prefix and
// torn down in TearDown, whether the test passed, failed an assertion or threw.
// (If the test process itself dies, the lab's journal remains, and
// `topo down LAB` removes what is left.)
//
//   class SeedTest : public topo::testing::LabTest {
//    protected:
//     SeedTest() : LabTest("topologies/server-router-client.yaml") {}
//   };
//   TEST_F(SeedTest, ServerReachesClient) {
//     EXPECT_EQ(Exec("server", {"ping", "-c1", Address("client", "lo")}).status, 0);
//   }
//
// Without root the fixture runs rootless: the test process enters a sandbox of
// its own (topo::EnsureLabsCanComeUp), which the kernel frees with it. When
// neither works it skips the test, except when the environment has CI=true:
// then it fails it, so a CI job that lost its privileges cannot pass by
// skipping everything.
//
// Header-only; link the target topo::testing (topo::topo plus GoogleTest).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "topo/lab.h"

namespace topo::testing {

// Selects LabTest's YAML-text constructor: LabTest(YamlText{"name: x\n..."}).
struct YamlText {
  std::string text;
};

class LabTest : public ::testing::Test {
 protected:
  // A topology file (a path relative to the working directory, or absolute).
  explicit LabTest(std::string topology_file, std::string prefix = kAutoPrefix)
      : file_(std::move(topology_file)), prefix_(std::move(prefix)) {}
  explicit LabTest(YamlText yaml, std::string prefix = kAutoPrefix)
      : yaml_(std::move(yaml.text)), prefix_(std::move(prefix)) {}

  void SetUp() override {
    if (std::string why = EnsureLabsCanComeUp(); !why.empty()) {
      const char* ci = std::getenv("CI");
      if (ci && std::string(ci) == "true") FAIL() << "topo::testing::LabTest: " << why;
      GTEST_SKIP() << "topo::testing::LabTest: " << why;
    }
    try {
      lab_.emplace(yaml_ ? Lab::FromYaml(*yaml_) : Lab::Load(file_));
      lab_->Up(prefix_);
    } catch (const Error& e) {
      FAIL() << e.what();
    }
  }

  void TearDown() override {
    if (!lab_) return;
    try {
      lab_->Down();
    } catch (const Error& e) {
      ADD_FAILURE() << "tearing the lab down: " << e.what();
    }
    lab_.reset();
  }

  // The lab; only valid between SetUp and TearDown of a test that was not skipped.
  Lab& lab() { return *lab_; }

  ExecResult Exec(const std::string& node, const std::vector<std::string>& argv,
                  const std::string& input = "") const {
    return lab_->Exec(node, argv, input);
  }
  template <typename F>
  decltype(auto) InNamespace(const std::string& node, F&& fn) const {
    return lab_->InNamespace(node, std::forward<F>(fn));
  }
  std::string Address(const std::string& node, const std::string& ifname, int family = 0) const {
    return lab_->Address(node, ifname, family);
  }
  std::vector<InterfaceAddress> Addresses(const std::string& node) const {
    return lab_->Addresses(node);
  }
  std::string Namespace(const std::string& node) const { return lab_->Namespace(node); }
  // The output so far of a program the topology declares in the node.
  std::string Log(const std::string& node, const std::string& program) const {
    return lab_->Log(node, program);
  }

 private:
  std::string file_;
  std::optional<std::string> yaml_;
  std::string prefix_;
  std::optional<Lab> lab_;
};

}  // namespace topo::testing
