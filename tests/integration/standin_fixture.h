// The fixture of the tests whose labs attach to "the host" (a node of kind
// root) without touching the machine's: `topo` runs with its own network
// namespace set to a test-only namespace standing in for the host (entered
// with `nsenter --net` only, so the lab's /run/netns names are the
// machine's), and takes the stand-in for the host exactly as it would the
// real one (it is the namespace topo started in).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/lab_fixture.h"
#include "testutil.h"

namespace topo::testing {

class StandInFixture : public LabFixture {
 protected:
  void SetUp() override {
    LabFixture::SetUp();
    if (IsSkipped() || HasFailure()) return;
    host_ = prefix_ + "host";
    ASSERT_EQ(RunProcess({"ip", "netns", "add", host_}).status, 0);
    ASSERT_EQ(InHost({"ip", "link", "set", "lo", "up"}).status, 0);
  }

  void CleanUp() override {
    for (const std::string& lab : labs_) Topo({"down", lab});
    for (const std::string& lab : other_labs_) TopoOther({"down", lab});
    for (const std::string& ns : foreign_) RunProcess({"ip", "netns", "del", ns});
    if (!host_.empty()) RunProcess({"ip", "netns", "del", host_});
  }

  // ARGV run in the stand-in host's network namespace.
  ProcessResult InHost(std::vector<std::string> argv) {
    argv.insert(argv.begin(), "--net=/run/netns/" + host_);
    argv.insert(argv.begin(), "nsenter");
    return RunProcess(argv, env_);
  }
  // `topo ARGS` started in the stand-in host (its "root namespace").
  ProcessResult Topo(std::vector<std::string> args) {
    args.insert(args.begin(), TopoBinary());
    return InHost(args);
  }
  // `topo ARGS` started in the stand-in host, with a second state directory.
  ProcessResult TopoOther(std::vector<std::string> args) {
    args.insert(args.begin(), TopoBinary());
    args.insert(args.begin(), "--net=/run/netns/" + host_);
    args.insert(args.begin(), "nsenter");
    return RunProcess(args, StateEnv(other_state_.path()));
  }
  // A file in the test's private directory.
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = state_dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string Sysctl(const std::string& key) {
    std::string path = "/proc/sys/" + key;
    for (char& c : path) c = c == '.' ? '/' : c;
    return InHost({"cat", path}).output;
  }

  std::string host_;                  // the stand-in's name in /run/netns
  std::vector<std::string> foreign_;  // other namespaces the test makes
  TempDir other_state_{"topo-state2"};
  std::vector<std::string> other_labs_;  // labs kept in other_state_
};

}  // namespace topo::testing
