// A consumer's tests, built against the installed topo package: the public
// headers alone, the library, and the GoogleTest fixture. `Unprivileged*`
// tests need no root; the fixture's tests bring the seed lab up (root).
#include <topo/lab.h>
#include <topo/testing.h>

#include <string>

TEST(UnprivilegedTest, LoadsAndValidates) {
  topo::Lab lab = topo::Lab::Load(TOPO_SEED_FILE);
  EXPECT_EQ(lab.Nodes().size(), 3u);
  EXPECT_EQ(lab.Address("server", "lo"), "1.1.1.1");
  try {
    topo::Lab::FromYaml("name: x\nnodes:\n  a: {kind: switchh}\n", "bad.yaml");
    ADD_FAILURE() << "an invalid topology was accepted";
  } catch (const topo::Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.yaml:3:"), std::string::npos) << e.what();
  }
}

class SeedLab : public topo::testing::LabTest {
 protected:
  SeedLab() : LabTest(TOPO_SEED_FILE) {}
};

TEST_F(SeedLab, ServerReachesClientThroughTheRouter) {
  topo::ExecResult r = Exec("server", {"ping", "-c", "1", "-W", "2", Address("client", "lo")});
  EXPECT_TRUE(r.ok()) << r.output;
}
