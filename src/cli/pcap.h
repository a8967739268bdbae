// --pcap DIR and --pcap-on-failure of `topo test` and `topo run`: every link
// end, VLAN sub-interface and interface of a kind (model/ifkind.h) of the lab
// captured for the whole run, one pcap file per interface
// (DIR/NODE-IF.pcap, at most 16 MiB each), started before the checks or the
// command (in a lab with programs, before its first program starts) and
// stopped before the lab is torn down.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "capture/capture_set.h"
#include "plan/plan.h"

namespace topo::cli {

struct PcapFlags {
  std::string dir;          // "": no capture
  bool on_failure = false;  // keep the files only when a check or the command failed
};

void AddPcapOptions(CLI::App* cmd, PcapFlags* flags);

class LabPcaps {
 public:
  // Starts capturing every link end of `plan` (nothing when flags.dir is
  // empty); prints why and returns false when a capture cannot start.
  bool Start(const PcapFlags& flags, const Plan& plan);
  // For BringUp's before_programs: starts the captures once the network is
  // up and before the lab's first program, so they hold its first packets.
  std::function<Status(const Plan&)> BeforePrograms(const PcapFlags& flags);
  // Starts them now unless BeforePrograms did (a lab without programs).
  bool StartIfNot(const PcapFlags& flags, const Plan& plan) {
    return tried_ ? started_ || flags.dir.empty() : Start(flags, plan);
  }
  // Stops the captures; with --pcap-on-failure and no failure, removes the files.
  void Finish(bool failed);

 private:
  PcapFlags flags_;
  CaptureSet set_;
  bool started_ = false;
  bool tried_ = false;
};

}  // namespace topo::cli
