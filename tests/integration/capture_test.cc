// capture/: a capture that is cancelled still writes every packet the kernel
// had already queued for it. `topo test --pcap` stops its captures as soon as
// the last check has passed, so the check's last reply is often still in the
// capture socket then; CI once lost it (ChecksTest.TopoTestPcapKeepsEveryLinkEndsPackets).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <optional>
#include <thread>

#include "capture/capture.h"
#include "support/temp_dir.h"
#include "testutil.h"
#include "topo/testing.h"

namespace topo {
namespace {

// The number of records in a pcap file, or -1 when it is not one.
int PcapRecords(const std::string& pcap) {
  auto u32 = [&](size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, pcap.data() + at, 4);  // written in this host's byte order
    return v;
  };
  if (pcap.size() < 24 || u32(0) != 0xa1b2c3d4) return -1;
  int records = 0;
  for (size_t at = 24; at + 16 <= pcap.size(); ++records) at += 16 + u32(at + 8);
  return records;
}

class CaptureTest : public testing::LabTest {
 protected:
  CaptureTest() : LabTest(testing::SourcePath("topologies/server-router-client.yaml")) {}
  void SetUp() override {
    state_.emplace();
    LabTest::SetUp();
  }
  void TearDown() override {
    LabTest::TearDown();
    state_.reset();
  }
  std::optional<testing::PrivateStateDir> state_;
};

TEST_F(CaptureTest, CancelWritesWhatWasAlreadyQueued) {
  constexpr int kDatagrams =
      20;  // well inside the capture ring (about 30 frames at the default snaplen)
  testing::TempDir dir("topo-capture");
  ASSERT_TRUE(dir.ok());
  std::atomic<bool> cancel{false}, ready{false}, ended{false};
  CaptureOptions o;
  o.ns = Namespace("router");
  o.ifname = "veth-cli";
  o.output = dir / "router.pcap";
  o.filter = "udp port 40002";
  o.cancel = &cancel;
  // The capture reads nothing until it is cancelled: every datagram is queued by then.
  o.on_ready = [&] {
    ready = true;
    while (!cancel) std::this_thread::yield();
  };
  CaptureResult result;
  Status status;
  std::thread capture([&] {
    status = Capture(o, &result);
    ended = true;
  });
  while (!ready && !ended) std::this_thread::yield();

  // The router receives every datagram, so each one passed the capture socket before it.
  const int rx =
      InNamespace("router", [] { return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
  const int tx =
      InNamespace("client", [] { return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
  ASSERT_GE(rx, 0);
  ASSERT_GE(tx, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(40002);
  inet_pton(AF_INET, Address("router", "veth-cli").c_str(), &addr.sin_addr);
  ASSERT_EQ(bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  int buffer = 1 << 20;
  setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
  timeval tv{2, 0};
  setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  int received = 0;
  for (int i = 0; i < kDatagrams; ++i) {
    ASSERT_EQ(sendto(tx, "x", 1, 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 1);
  }
  char buf[8];
  while (received < kDatagrams && recv(rx, buf, sizeof(buf), 0) == 1) ++received;
  cancel = true;
  capture.join();
  close(rx);
  close(tx);
  EXPECT_EQ(received, kDatagrams);
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(result.dropped, 0u);
  EXPECT_EQ(result.packets, static_cast<uint64_t>(kDatagrams));
  EXPECT_EQ(PcapRecords(testing::ReadFile(o.output)), kDatagrams);
}

}  // namespace
}  // namespace topo
