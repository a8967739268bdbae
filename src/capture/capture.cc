#include "capture/capture.h"

#include <pcap/pcap.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "kernel/netns.h"

namespace topo {

namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
struct DumperCloser {
  void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
};

// Opens and activates the capture handle in the namespace `ns`.
Status OpenHandle(const CaptureOptions& o, std::unique_ptr<pcap_t, PcapCloser>* out) {
  NetnsGuard guard;
  if (!o.ns.empty()) {
    UniqueFd fd;
    if (Status s = OpenNetns(o.ns, &fd); !s.ok()) return s;
    if (Status s = guard.Enter(fd.get()); !s.ok()) return s;
  }
  char err[PCAP_ERRBUF_SIZE] = "";
  std::unique_ptr<pcap_t, PcapCloser> p(pcap_create(o.ifname.c_str(), err));
  if (!p) return Status::IOError(std::string("pcap: ") + err);
  pcap_set_snaplen(p.get(), o.snaplen);
  pcap_set_timeout(p.get(), 100);
  pcap_set_immediate_mode(p.get(), 1);
  const int rc = pcap_activate(p.get());
  const std::string where =
      "'" + (o.ns.empty() ? std::string("(root)") : o.ns) + ":" + o.ifname + "'";
  if (rc == PCAP_ERROR_NO_SUCH_DEVICE) {
    return Status::NotFound("no interface " + where + " to capture on");
  }
  if (rc < 0) return Status::IOError("capture on " + where + ": " + pcap_geterr(p.get()));
  if (Status s = guard.Leave(); !s.ok()) return s;
  *out = std::move(p);
  return Status::OK();
}

void Write(u_char* user, const struct pcap_pkthdr* h, const u_char* bytes) {
  pcap_dump(user, h, bytes);
}

}  // namespace

Status Capture(const CaptureOptions& o, CaptureResult* result) {
  *result = CaptureResult{};
  std::unique_ptr<pcap_t, PcapCloser> p;
  if (Status s = OpenHandle(o, &p); !s.ok()) return s;
  if (!o.filter.empty()) {
    bpf_program prog{};
    if (pcap_compile(p.get(), &prog, o.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return Status::InvalidArgument("bad filter '" + o.filter + "': " + pcap_geterr(p.get()));
    }
    const int rc = pcap_setfilter(p.get(), &prog);
    pcap_freecode(&prog);
    if (rc != 0) return Status::IOError(std::string("set filter: ") + pcap_geterr(p.get()));
  }
  if (pcap_setnonblock(p.get(), 1, nullptr) != 0) {
    return Status::IOError(std::string("pcap: ") + pcap_geterr(p.get()));
  }
  std::unique_ptr<pcap_dumper_t, DumperCloser> out(pcap_dump_open(p.get(), o.output.c_str()));
  if (!out) {
    return Status::IOError("cannot write '" + o.output + "': " + pcap_geterr(p.get()));
  }
  pcap_dump_flush(out.get());
  if (o.on_ready) o.on_ready();
  using Clock = std::chrono::steady_clock;
  const auto deadline = o.duration_ms ? Clock::now() + std::chrono::milliseconds(*o.duration_ms)
                                      : Clock::time_point::max();
  const int fd = pcap_get_selectable_fd(p.get());
  // Writes what the socket holds now; false once the capture must end (count or max_bytes
  // reached). The handle is non-blocking, so this never waits.
  Status error;
  auto dispatch = [&](int* got) {
    const int want = o.count ? static_cast<int>(*o.count - result->packets) : -1;
    *got = pcap_dispatch(p.get(), want, Write, reinterpret_cast<u_char*>(out.get()));
    if (*got < 0) {
      error = Status::IOError(std::string("capture: ") + pcap_geterr(p.get()));
      return false;
    }
    result->packets += static_cast<uint64_t>(*got);
    pcap_dump_flush(out.get());
    if (o.count && result->packets >= *o.count) return false;
    if (o.max_bytes > 0 && static_cast<uint64_t>(pcap_dump_ftell64(out.get())) >= o.max_bytes) {
      result->truncated = true;
      return false;
    }
    return true;
  };
  bool more = !(o.count && *o.count == 0);
  while (more) {
    if (o.cancel && o.cancel->load()) {
      // Cancelled: the packets already queued were seen before the cancel (a check's last
      // reply, say), so they are written before returning. A few rounds at most, so that
      // a link that never falls silent cannot keep the capture going.
      for (int got = 1, round = 0; more && got > 0 && round < 8; ++round) more = dispatch(&got);
      break;
    }
    const auto now = Clock::now();
    if (now >= deadline) break;
    int wait_ms = 100;  // cancellation is noticed this soon
    if (o.duration_ms) {
      wait_ms = static_cast<int>(std::min<int64_t>(
          wait_ms,
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1));
    }
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, wait_ms) <= 0) continue;
    int got = 0;
    more = dispatch(&got);
  }
  if (!error.ok()) return error;
  pcap_stat stats{};
  if (pcap_stats(p.get(), &stats) == 0) result->dropped = stats.ps_drop;
  if (pcap_dump_flush(out.get()) != 0) {
    return Status::IOError("cannot write '" + o.output + "'");
  }
  return Status::OK();
}

}  // namespace topo
