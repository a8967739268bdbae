// capture/capture_set.h: what `topo test --pcap` and `topo run --pcap` say of a
// file that misses packets (the kernel dropped some, or the file reached its bound).
#include "capture/capture_set.h"

#include <gtest/gtest.h>

namespace topo {
namespace {

TEST(CaptureShortfallTest, AWholeFileSaysNothing) {
  CaptureResult whole;
  whole.packets = 12;
  EXPECT_EQ(Shortfall("d/r1-eth0.pcap", whole, kDefaultPcapBytes), "");
}

TEST(CaptureShortfallTest, DropsAndTheBoundAreNamed) {
  CaptureResult r;
  r.dropped = 1;
  EXPECT_EQ(Shortfall("d/r1-eth0.pcap", r, kDefaultPcapBytes),
            "d/r1-eth0.pcap: 1 packet dropped by the kernel (the capture fell behind)");
  r.dropped = 268;
  r.truncated = true;
  EXPECT_EQ(Shortfall("d/r1-eth0.pcap", r, kDefaultPcapBytes),
            "d/r1-eth0.pcap: 268 packets dropped by the kernel (the capture fell behind); "
            "stopped at 16 MiB, the bound of each file");
  r.dropped = 0;
  EXPECT_EQ(Shortfall("d/r1-eth0.pcap", r, 5000),
            "d/r1-eth0.pcap: stopped at 5000 bytes, the bound of each file");
}

TEST(CaptureShortfallTest, ASetThatNeverStartedHasNone) {
  CaptureSet set;
  EXPECT_TRUE(set.Shortfalls().empty());
}

}  // namespace
}  // namespace topo
