// Packet capture on one interface of a lab, read in the interface's network
// namespace through libpcap and written as a pcap file (or to standard output,
// so that `topo capture r1:eth0 | wireshark -k -i -` works). No tcpdump
// process: the capture socket is opened by the calling thread inside the
// namespace, which it then leaves again; the socket stays bound to it.
//
// Promises: Capture returns once `count` packets are written, `duration_ms`
// has passed, the file has reached `max_bytes`, *cancel is set, or an error occurs; every packet it
// saw is in the output (flushed after each batch, so a reader of a pipe sees packets as they come).
// A cancel first writes the packets already queued in the capture socket: what an interface
// carried before *cancel was set is in the file (up to `count`, `max_bytes` and the socket's ring).
// `on_ready` is called once the capture is running (the file's header is written), before any
// packet is awaited. Never prints.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "model/status.h"

namespace topo {

struct CaptureOptions {
  std::string ns;                      // the interface's namespace; "" is the root namespace
  std::string ifname;                  // the interface, e.g. "eth0"
  std::string output = "-";            // a pcap file, or "-" for standard output
  std::optional<uint64_t> count;       // stop after this many packets
  std::optional<int64_t> duration_ms;  // stop after this long
  std::string filter;                  // a pcap-filter(7) expression, e.g. "icmp"
  int snaplen = 262144;                // bytes kept of each packet
  uint64_t max_bytes = 0;              // stop once the file is this big; 0: no bound
  const std::atomic<bool>* cancel = nullptr;
  std::function<void()> on_ready;
};

struct CaptureResult {
  uint64_t packets = 0;    // written to the output
  uint64_t dropped = 0;    // dropped by the kernel (buffer full), as libpcap reports
  bool truncated = false;  // stopped at max_bytes
};

// InvalidArgument for a filter libpcap cannot compile ("bad filter 'icmpp': ..."),
// NotFound for an interface the namespace does not have.
Status Capture(const CaptureOptions& options, CaptureResult* result);

}  // namespace topo
