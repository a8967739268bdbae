// The base of the integration fixtures that bring labs up with `topo`. SetUp
// needs root (TOPO_REQUIRE_ROOT), draws a unique prefix, makes a private state
// directory and the environment that points `topo` at it, and takes a
// LeakSnapshot. TearDown runs CleanUp() (by default `topo down` of every lab
// in labs_), then compares the machine with the snapshot and fails the test
// for everything of this test that appeared and is still there, removing it by
// exact name: namespaces and /etc/netns entries with one of the test's
// prefixes, links in the root namespace named after this test process
// (UniquePrefixStem()), processes in one of the lab's namespaces, and network
// namespaces that a process of this test keeps alive without a /run/netns
// name. Only what appeared during the test counts: on a shared machine other
// labs come and go, and they are neither reported nor touched.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.h"
#include "testutil.h"

namespace topo::testing {

// A network namespace's identity: its nsfs device and inode.
using NetnsId = std::pair<dev_t, ino_t>;

// What labs can leave behind, as the machine shows it now.
struct LeakSnapshot {
  std::set<std::string> namespaces;  // names in /run/netns
  std::set<std::string> etc_netns;   // entries of /etc/netns
  std::set<std::string> root_links;  // links of the root namespace (/sys/class/net)
  std::set<NetnsId> unnamed;         // held by a process, named nowhere in /run/netns

  static LeakSnapshot Take();
};

// The identity of the namespace at `path` (/run/netns/NAME, /proc/PID/ns/net);
// false when there is none.
bool NetnsIdentity(const std::string& path, NetnsId* id);
// The pids (not this process) whose network namespace is one of `ids`.
std::vector<pid_t> ProcessesIn(const std::set<NetnsId>& ids);

class LabFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Removes what the test brought up, before the leak check; by default
  // `topo down` of every lab in labs_.
  virtual void CleanUp();

  // Another prefix whose namespaces and /etc/netns entries belong to this test.
  void AddPrefix(const std::string& prefix) { prefixes_.push_back(prefix); }
  // `topo ARGS` with the fixture's environment.
  ProcessResult Topo(std::vector<std::string> args);
  // The same, with `input` as topo's standard input (`topo test -`).
  ProcessResult TopoWithInput(std::vector<std::string> args, const std::string& input);
  // The private state directory (also state_dir_).
  const std::string& state_dir() const { return state_dir_; }

  std::string prefix_, state_dir_;
  std::vector<std::string> env_, labs_;

 private:
  // The identities of this test's namespaces that have a name now.
  std::set<NetnsId> OwnNamespaces() const;
  bool Ours(const std::string& name) const;

  std::unique_ptr<TempDir> dir_;
  std::vector<std::string> prefixes_;
  LeakSnapshot before_;
};

}  // namespace topo::testing
