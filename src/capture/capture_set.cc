#include "capture/capture_set.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>

namespace topo {

Status CaptureSet::Start(const std::vector<CaptureEnd>& ends, const std::string& dir,
                         uint64_t max_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create '" + dir + "': " + ec.message());
  stop_ = false;
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
