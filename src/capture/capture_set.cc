#include "capture/capture_set.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "model/diagnostic.h"

namespace topo {

std::string Shortfall(const std::string& file, const CaptureResult& result, uint64_t max_bytes) {
  std::string why;
  if (result.dropped > 0) {
    why = Counted(result.dropped, "packet") + " dropped by the kernel (the capture fell behind)";
  }
  if (result.truncated) {
    if (!why.empty()) why += "; ";
    const bool mib = max_bytes % (1u << 20) == 0;
    why += "stopped at " +
           (mib ? std::to_string(max_bytes >> 20) + " MiB" : std::to_string(max_bytes) + " bytes") +
           ", the bound of each file";
  }
  return why.empty() ? "" : file + ": " + why;
}

std::vector<std::string> CaptureSet::Shortfalls() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i]->state.load() != 2) continue;
    std::string line = Shortfall(files_[i], slots_[i]->result, max_bytes_);
    if (!line.empty()) out.push_back(std::move(line));
  }
  return out;
}

Status CaptureSet::Start(const std::vector<CaptureEnd>& ends, const std::string& dir,
                         uint64_t max_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create '" + dir + "': " + ec.message());
  stop_ = false;
  max_bytes_ = max_bytes;
  for (const CaptureEnd& e : ends) {
    auto slot = std::make_unique<Slot>();
    slot->options.ns = e.ns;
    slot->options.ifname = e.ifname;
    slot->options.output =
        (std::filesystem::path(dir) / (e.node + "-" + e.ifname + ".pcap")).string();
    slot->options.max_bytes = max_bytes;
    slot->options.cancel = &stop_;
    Slot* s = slot.get();
    slot->options.on_ready = [s] { s->state = 1; };
    files_.push_back(slot->options.output);
    slots_.push_back(std::move(slot));
    threads_.emplace_back([s] {
      // Signals are the main thread's (topo run waits for them with sigwaitinfo).
      sigset_t all;
      sigfillset(&all);
      pthread_sigmask(SIG_BLOCK, &all, nullptr);
      s->status = Capture(s->options, &s->result);
      s->state = 2;
    });
  }
  // Wait until each capture runs or has ended (it failed to start).
  for (size_t i = 0; i < slots_.size(); ++i) {
    while (slots_[i]->state.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (slots_[i]->state.load() == 2 && !slots_[i]->status.ok()) {
      Status failed = slots_[i]->status;
      Stop();
      return Status::IOError("capture of " + ends[i].node + ":" + ends[i].ifname + ": " +
                             failed.message());
    }
  }
  return Status::OK();
}

Status CaptureSet::Stop() {
  stop_ = true;
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  for (const auto& s : slots_) {
    if (!s->status.ok()) return s->status;
  }
  return Status::OK();
}

}  // namespace topo
