#include "cli/pcap.h"

#include <filesystem>
#include <iostream>

#include "cli/common.h"

namespace topo::cli {

void AddPcapOptions(CLI::App* cmd, PcapFlags* flags) {
  cmd->add_option(
      "--pcap", flags->dir,
      "Capture every link end, VLAN sub-interface and interface of a kind of the lab into "
      "DIR/NODE-IF.pcap (16 MiB at most each)");
  cmd->add_flag("--pcap-on-failure", flags->on_failure,
                "With --pcap: keep the files only when a check (or the command) failed");
}

bool LabPcaps::Start(const PcapFlags& flags, const Plan& plan) {
  flags_ = flags;
  tried_ = true;
  if (flags.dir.empty()) return true;
  std::vector<CaptureEnd> ends;
  for (const Action& a : plan.actions) {
    // VLAN sub-interfaces and interfaces of a kind (a VXLAN's inner packets)
    // too: each shows what its parent shows only encapsulated.
    if (a.kind == ActionKind::kCreateVlan || a.kind == ActionKind::kCreateInterface) {
      ends.push_back({a.ns, a.node, a.ifname});
    }
    if (a.kind != ActionKind::kCreateVeth) continue;
    ends.push_back({a.ns, a.node, a.ifname});
    ends.push_back({a.peer_ns(), a.peer_node(), a.peer_ifname()});
  }
  if (Status s = set_.Start(ends, flags.dir); !s.ok()) {
    PrintError("--pcap: " + s.message());
    return false;
  }
  started_ = true;
  return true;
}

std::function<Status(const Plan&)> LabPcaps::BeforePrograms(const PcapFlags& flags) {
  if (flags.dir.empty()) return nullptr;
  return [this, flags](const Plan& plan) {
    return Start(flags, plan) ? Status::OK()
                              : Status::IOError("the packet captures (--pcap) could not start");
  };
}

void LabPcaps::Finish(bool failed) {
  if (!started_) return;
  started_ = false;
  if (Status s = set_.Stop(); !s.ok()) PrintError("--pcap: " + s.message());
  if (flags_.on_failure && !failed) {
    for (const std::string& f : set_.files()) std::filesystem::remove(f);
    std::error_code ec;
    std::filesystem::remove(flags_.dir, ec);  // only if empty
    return;
  }
  std::cerr << "topo: packets of " << set_.files().size() << " link ends in " << flags_.dir
            << "/\n";
  // A file that misses packets says so, so nobody reads an absence into it.
  for (const std::string& line : set_.Shortfalls()) std::cerr << "topo: --pcap: " << line << "\n";
}

}  // namespace topo::cli
