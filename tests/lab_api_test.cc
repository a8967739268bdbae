// topo::Lab without root: loading and its diagnostics, look-ups that need no
// kernel, the errors of operations that need the lab up, and the unique prefix.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "testutil.h"
#include "topo/lab.h"

namespace topo {
namespace {

const std::string kSeedFile = testing::SourcePath("topologies/server-router-client.yaml");

std::string ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(LabApiTest, LoadsAndLooksUpWithoutTheKernel) {
  Lab lab = Lab::Load(kSeedFile);
  EXPECT_EQ(lab.topology_name(), "server-router-client");
  EXPECT_EQ(lab.Nodes(), (std::vector<std::string>{"server", "router", "client"}));
  EXPECT_FALSE(lab.is_up());
  EXPECT_EQ(lab.name(), "");
  EXPECT_EQ(lab.Address("client", "lo"), "2.2.2.2");
  std::vector<InterfaceAddress> server = lab.Addresses("server");
  ASSERT_EQ(server.size(), 2u);
  EXPECT_EQ(server[0].interface, "lo");
  EXPECT_EQ(server[0].cidr(), "1.1.1.1/24");
  EXPECT_EQ(server[1].address, "10.0.1.2");
  EXPECT_EQ(server[1].prefix_length, 24);
  EXPECT_EQ(server[1].family, 4);
  lab.Down();  // not up: nothing to do
}

TEST(LabApiTest, InvalidTopologyThrowsEveryDiagnostic) {
  std::string message = ErrorOf([] {
    Lab::FromYaml(R"(name: x
nodes:
  a: {interfaces: {eth0: [10.0.0.1/33]}}
links:
  - [a:eth0, b:eth0]
)",
                  "inline.yaml");
  });
  EXPECT_NE(message.find("inline.yaml:3:27: error: invalid address"), std::string::npos) << message;
  EXPECT_NE(message.find("inline.yaml:5:14: error: unknown node 'b'\n"), std::string::npos)
      << message;
  EXPECT_NE(message.find("inline.yaml: 2 errors, 0 warnings"), std::string::npos) << message;
  EXPECT_NE(ErrorOf([] { Lab::Load("/nonexistent/topo.yaml"); }).find("/nonexistent/topo.yaml"),
            std::string::npos);
}

TEST(LabApiTest, LookUpErrorsNameWhatIsMissing) {
  Lab lab = Lab::Load(kSeedFile);
  EXPECT_EQ(ErrorOf([&] { lab.Addresses("sever"); }),
            "no node 'sever' in lab 'server-router-client' (did you mean 'server'?)");
  EXPECT_EQ(ErrorOf([&] { lab.Address("server", "vethC"); }),
            "node 'server' has no interface 'vethC' (did you mean 'vethS'?)");
  EXPECT_EQ(ErrorOf([&] { lab.Address("server", "vethS", 6); }),
            "interface 'server:vethS' has no IPv6 address");
  EXPECT_EQ(ErrorOf([&] { lab.Namespace("server"); }), "lab 'server-router-client' is not up");
  EXPECT_EQ(ErrorOf([&] { lab.Exec("server", {"true"}); }), "lab 'server-router-client' is not up");
  EXPECT_EQ(ErrorOf([&] { lab.InNamespace("server", [] {}); }),
            "lab 'server-router-client' is not up");
}

TEST(LabApiTest, MovedLabsOwnTheirState) {
  Lab a = Lab::Load(kSeedFile);
  Lab b = std::move(a);
  EXPECT_EQ(b.topology_name(), "server-router-client");
  a = Lab::FromYaml("name: solo\nnodes:\n  only: {}\n");
  EXPECT_EQ(a.Nodes(), std::vector<std::string>{"only"});
}

}  // namespace
}  // namespace topo
