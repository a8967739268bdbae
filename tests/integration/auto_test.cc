// `routes: auto` and automatic addressing on real namespaces: a ring of five
// routers with a host each, and a small clos (2 spines, 4 leaves, a host per
// leaf), both families, addressed from pools with no address or route
// written. Every host pings every other host's addresses (IPv4 and IPv6)
// through `topo test`; the checks are generated from the addresses the front
// end assigns, so they follow the assignment rules rather than restate them.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "front/validate.h"
#include "support/lab_fixture.h"

namespace topo {
namespace {

class AutoLab : public testing::LabFixture {
 protected:
  // Adds a ping check from every host to every address of every other host,
  // writes the lab and runs `topo test` on it.
  void ExpectEveryHostReachesEveryHost(const std::string& name, const std::string& body) {
    const std::string yaml = "name: " + name + "\n" + body;
    DiagnosticList diags;
    auto t = testing::ValidateText(yaml, &diags);
    ASSERT_TRUE(t.has_value()) << testing::Brief(diags);
    std::string checks = "checks:\n";
    int count = 0;
    for (const Node& from : t->nodes) {
      if (from.kind != NodeKind::kHost) continue;
      for (const Node& to : t->nodes) {
        if (to.kind != NodeKind::kHost || &to == &from) continue;
        for (const Interface& i : to.interfaces) {
          for (const Prefix& a : i.addresses) {
            checks += "  - {from: " + from.name + ", to: \"" + a.addr.ToString() + "\"}\n";
            ++count;
          }
        }
      }
    }
    ASSERT_GT(count, 0);
    const std::string path = state_dir() + "/" + name + ".yaml";
    std::ofstream(path) << yaml << checks;
    labs_.push_back(prefix_ + name);
    auto r = Topo({"test", "--prefix", prefix_, path});
    EXPECT_EQ(r.status, 0) << r.output;
    const std::string summary =
        std::to_string(count) + " checks, " + std::to_string(count) + " passed, 0 failed";
    EXPECT_NE(r.output.find(summary), std::string::npos) << r.output;
  }
};

constexpr char kPools[] =
    "pools:\n"
    "  links: [10.255.0.0/16, \"fd00:255::/48\"]\n"
    "  loopbacks: [10.0.0.0/24, \"fd00::/64\"]\n"
    "routes: auto\n";

TEST_F(AutoLab, RingOfFiveRoutersBothFamilies) {
  std::string body = std::string(kPools) + "nodes:\n";
  for (int k = 1; k <= 5; ++k) {
    body += "  r" + std::to_string(k) + ": {kind: router}\n";
    body += "  h" + std::to_string(k) + ": {}\n";
  }
  body += "links:\n";
  for (int k = 1; k <= 5; ++k) {
    body += "  - [r" + std::to_string(k) + ":east, r" + std::to_string(k % 5 + 1) + ":west]\n";
    body += "  - [h" + std::to_string(k) + ":eth0, r" + std::to_string(k) + ":lan]\n";
  }
  ExpectEveryHostReachesEveryHost("auto-ring5", body);
}

TEST_F(AutoLab, ClosOfTwoSpinesAndFourLeavesBothFamilies) {
  std::string body = std::string(kPools) +
                     "nodes:\n"
                     "  spine1: {kind: router}\n"
                     "  spine2: {kind: router}\n";
  std::string links = "links:\n";
  for (int l = 1; l <= 4; ++l) {
    const std::string leaf = "leaf" + std::to_string(l);
    body += "  " + leaf + ": {kind: router}\n  h" + std::to_string(l) + ": {}\n";
    for (int s = 1; s <= 2; ++s) {
      links += "  - [" + leaf + ":up" + std::to_string(s) + ", spine" + std::to_string(s) +
               ":down" + std::to_string(l) + "]\n";
    }
    links += "  - [h" + std::to_string(l) + ":eth0, " + leaf + ":lan]\n";
  }
  ExpectEveryHostReachesEveryHost("auto-clos", body + links);
}

}  // namespace
}  // namespace topo
