// The public library (topo/lab.h) and its GoogleTest fixture (topo/testing.h)
// on the seed lab: pings through Exec, a UDP exchange between sockets opened
// with InNamespace (seeing the router's SNAT), address look-ups, and teardown
// that leaves nothing behind after a failing assertion, an exception in the
// test body, or a Lab leaving its scope.
//
// Labs here use automatic prefixes and a private state directory; whatever
// namespace a test saw is removed by exact name if it outlives the test.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>

#include "support/lab_fixture.h"
#include "support/temp_dir.h"
#include "testutil.h"
#include "topo/testing.h"

namespace topo {
namespace {

using testing::RunProcess;

const std::string kSeedFile = testing::SourcePath("topologies/server-router-client.yaml");

bool NamespaceFileExists(const std::string& ns) {
  struct stat st;
  return lstat(("/run/netns/" + ns).c_str(), &st) == 0;
}

// Removes, by exact name, namespaces that are still there; true when none were.
bool RemoveLeftovers(const std::vector<std::string>& namespaces) {
  bool clean = true;
  for (const std::string& ns : namespaces) {
    if (!NamespaceFileExists(ns)) continue;
    clean = false;
    RunProcess({"ip", "netns", "del", ns});
  }
  return clean;
}

class SeedFixtureTest : public topo::testing::LabTest {
 protected:
  SeedFixtureTest() : LabTest(kSeedFile) {}

  void SetUp() override {
    state_.emplace();
    LabTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const std::string& node : lab().Nodes()) namespaces_.push_back(Namespace(node));
  }

  void TearDown() override {
    LabTest::TearDown();
    EXPECT_TRUE(RemoveLeftovers(namespaces_)) << "the fixture left namespaces behind";
    state_.reset();
  }

  // Lets the parent of a deliberately failing run (below) check these namespaces.
  void PrintNamespaces() {
    for (const std::string& ns : namespaces_) std::cout << "lab-namespace " << ns << "\n";
    std::cout.flush();
  }

  std::optional<testing::PrivateStateDir> state_;
  std::vector<std::string> namespaces_;
};

TEST_F(SeedFixtureTest, PingsThroughExec) {
  for (auto [node, address] : std::vector<std::pair<std::string, std::string>>{
           {"server", Address("client", "lo")},           // through the router and SNAT
           {"client", Address("server", "lo")},           // through the router's static route
           {"server", Address("router", "veth-srv")}}) {  // directly connected
    ExecResult r = Exec(node, {"ping", "-c", "1", "-W", "2", address});
    EXPECT_EQ(r.status, 0) << node << " -> " << address << "\n" << r.output;
  }
  ExecResult fwd = Exec("router", {"cat", "/proc/sys/net/ipv4/ip_forward"});
  EXPECT_EQ(fwd.output, "1\n");
  ExecResult missing = Exec("server", {"no-such-program-topo-test"});
  EXPECT_EQ(missing.status, 127);
  EXPECT_NE(missing.output.find("not found in PATH"), std::string::npos) << missing.output;
  ExecResult input = Exec("server", {"cat"}, "through stdin");
  EXPECT_EQ(input.output, "through stdin");
}

TEST_F(SeedFixtureTest, SocketsOpenedInNamespacesSeeTheSnatSource) {
  int rx = InNamespace("client", [] { return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
  int tx = InNamespace("server", [] { return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
  ASSERT_GE(rx, 0);
  ASSERT_GE(tx, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(40001);
  inet_pton(AF_INET, Address("client", "lo").c_str(), &addr.sin_addr);
  ASSERT_EQ(bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  timeval tv{2, 0};
  setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ASSERT_EQ(sendto(tx, "hi", 2, 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 2);
  char buf[8];
  sockaddr_in from{};
  socklen_t len = sizeof(from);
  ASSERT_EQ(recvfrom(rx, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &len), 2);
  char src[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &from.sin_addr, src, sizeof(src));
  EXPECT_EQ(src, Address("router", "veth-cli"));
  close(rx);
  close(tx);

  // The callable runs inside the namespace, and its exceptions come back out.
  EXPECT_THROW(InNamespace("router", [] { throw std::runtime_error("inside"); }),
               std::runtime_error);
  EXPECT_THROW(InNamespace("nobody", [] {}), Error);
}

TEST_F(SeedFixtureTest, LooksUpAddressesAndNamespaces) {
  EXPECT_EQ(Address("server", "vethS"), "10.0.1.2");
  EXPECT_EQ(Address("router", "veth-cli", 4), "10.0.2.1");
  EXPECT_THROW(Address("router", "veth-cli", 6), Error);
  std::vector<InterfaceAddress> router = Addresses("router");
  ASSERT_EQ(router.size(), 2u);
  EXPECT_EQ(router[1].interface, "veth-cli");
  EXPECT_EQ(router[1].cidr(), "10.0.2.1/24");
  EXPECT_EQ(lab().name(), lab().prefix() + "server-router-client");
  EXPECT_EQ(Namespace("server"), lab().prefix() + "server");
  EXPECT_TRUE(NamespaceFileExists(Namespace("server")));
  EXPECT_TRUE(std::filesystem::exists(state_->dir() + "/labs/" + lab().name()));
}

// Two tests that fail on purpose, registered only in the child process that
// TeardownSurvivesFailingTests starts (with TOPO_TEST_FAIL_ON_PURPOSE=1), so
// ordinary runs and ctest never see them.
class FailsAnAssertion : public SeedFixtureTest {
  void TestBody() override {
    PrintNamespaces();
    ASSERT_EQ(1, 2) << "failing on purpose";
  }
};
class Throws : public SeedFixtureTest {
  void TestBody() override {
    PrintNamespaces();
    throw std::runtime_error("thrown on purpose");
  }
};
[[maybe_unused]] const bool kFailingTestsRegistered = [] {
  if (!std::getenv("TOPO_TEST_FAIL_ON_PURPOSE")) return false;
  ::testing::RegisterTest("FailsOnPurpose", "Assertion", nullptr, nullptr, __FILE__, __LINE__,
                          []() -> SeedFixtureTest* { return new FailsAnAssertion; });
  ::testing::RegisterTest("FailsOnPurpose", "Exception", nullptr, nullptr, __FILE__, __LINE__,
                          []() -> SeedFixtureTest* { return new Throws; });
  return true;
}();

TEST(LabFixtureTest, TeardownSurvivesFailingTests) {
  TOPO_REQUIRE_ROOT();
  auto r = RunProcess({"/proc/self/exe", "--gtest_filter=FailsOnPurpose.*"},
                      {"TOPO_TEST_FAIL_ON_PURPOSE=1"});
  std::vector<std::string> seen;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("lab-namespace ", 0) == 0) seen.push_back(line.substr(14));
  }
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("failing on purpose"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("thrown on purpose"), std::string::npos) << r.output;
  EXPECT_EQ(seen.size(), 6u) << r.output;  // two labs of three nodes, each with its own prefix
  EXPECT_TRUE(RemoveLeftovers(seen)) << "namespaces outlived their failing tests\n" << r.output;
}

// Labs of the library in this process, with LabFixture's state directory and leak check.
class LabApiTest : public testing::LabFixture {
 protected:
  void SetUp() override {
    LabFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    state_.emplace(state_dir_);
  }
  void TearDown() override {
    LabFixture::TearDown();
    state_.reset();
  }
  std::optional<testing::ScopedStateDir> state_;
};

TEST_F(LabApiTest, ScopedLabGoesAwayAndDownIsIdempotent) {
  std::vector<std::string> namespaces;
  try {
    Lab lab = Lab::Load(kSeedFile);
    lab.Up();
    AddPrefix(lab.prefix());
    EXPECT_TRUE(lab.is_up());
    EXPECT_THROW(lab.Up(), Error);  // already up
    for (const std::string& node : lab.Nodes()) namespaces.push_back(lab.Namespace(node));
    Lab second = Lab::Load(kSeedFile);
    second.Up();  // another automatic prefix: no clash
    AddPrefix(second.prefix());
    EXPECT_NE(second.prefix(), lab.prefix());
    for (const std::string& node : second.Nodes()) namespaces.push_back(second.Namespace(node));
    second.Down();
    second.Down();
    EXPECT_FALSE(second.is_up());
    throw std::runtime_error("leaving the scope");
  } catch (const std::runtime_error&) {
  }
  ASSERT_EQ(namespaces.size(), 6u);
  for (const std::string& ns : namespaces) EXPECT_FALSE(NamespaceFileExists(ns)) << ns;
  EXPECT_TRUE(std::filesystem::is_empty(state_dir_ + "/labs"));
  RemoveLeftovers(namespaces);
}

TEST_F(LabApiTest, ExplicitPrefixAndCollisions) {
  std::string prefix = prefix_;
  Lab lab = Lab::Load(kSeedFile);
  lab.Up(prefix);
  EXPECT_EQ(lab.name(), prefix + "server-router-client");
  Lab clash = Lab::Load(kSeedFile);
  try {
    clash.Up(prefix);
    ADD_FAILURE() << "a second lab with the same prefix came up";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is already up"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(NamespaceFileExists(prefix + "server"));  // the first lab is intact
  lab.Down();
  EXPECT_FALSE(NamespaceFileExists(prefix + "server"));
  RemoveLeftovers({prefix + "server", prefix + "router", prefix + "client"});
}

}  // namespace
}  // namespace topo
