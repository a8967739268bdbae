// Captures of many interfaces at once, one thread each, for `topo test --pcap`
// and `topo run --pcap`: every link end of a lab, one pcap file per end,
// named NODE-IF.pcap in a directory.
//
// Promises: Start returns once every capture is running (so nothing sent
// after it is missed) or has failed to start; Stop ends them all and waits
// for their threads. Each file is bounded by `max_bytes` (the capture of that
// end stops there). Not thread-safe itself; never prints.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "capture/capture.h"
#include "model/status.h"

namespace topo {

struct CaptureEnd {
  std::string ns;  // "" for the root namespace
  std::string node, ifname;
};

// 16 MiB: the default bound of each file.
inline constexpr uint64_t kDefaultPcapBytes = 16u << 20;

// What the capture into `file` missed, or "" when it missed nothing:
// "DIR/r1-eth0.pcap: 12 packets dropped by the kernel (the capture fell behind)",
// or "...: stopped at 16 MiB, the bound of each file".
std::string Shortfall(const std::string& file, const CaptureResult& result, uint64_t max_bytes);

class CaptureSet {
 public:
  CaptureSet() = default;
  ~CaptureSet() { Stop(); }
  CaptureSet(const CaptureSet&) = delete;
  CaptureSet& operator=(const CaptureSet&) = delete;

  // Creates `dir` if needed and starts a capture of each end into
  // dir/NODE-IF.pcap. On failure, stops what it started and says which end failed.
  Status Start(const std::vector<CaptureEnd>& ends, const std::string& dir,
               uint64_t max_bytes = kDefaultPcapBytes);
  // Stops every capture; returns the first error one of them met, if any.
  Status Stop();
  // The files written, in the order of the ends.
  const std::vector<std::string>& files() const { return files_; }
  // After Stop: a line for each file that misses packets (see Shortfall), in the
  // order of the ends; empty when every file holds all its interface carried.
  std::vector<std::string> Shortfalls() const;

 private:
  struct Slot {
    CaptureOptions options;
    CaptureResult result;
    Status status;
    std::atomic<int> state{0};  // 0 starting, 1 running, 2 finished
  };
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::thread> threads_;
  std::vector<std::string> files_;
  uint64_t max_bytes_ = 0;
};

}  // namespace topo
