// What runs in a node, as plain values: the programs a node starts once the
// network is up, how topo knows each is ready, and the files and private
// directories they see. The topology (topology.h) holds them as written, with
// their sources; the plan (plan/plan.h) holds them compiled, with lab facts
// substituted (plan actions kMakeNodeDir, kWriteNodeFile, kStartProgram), so
// that `up`, `down` and crash recovery need nothing but the plan.
//
// Every path here is absolute and as the node's programs see it ("/run/frr"),
// not where topo keeps the bytes: topo stores a node's files and private
// directories under the lab's state directory and bind-mounts them into each
// program's mount namespace (and into `topo exec`'s).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace topo {

// How topo decides that a started program is ready. `up` waits (at most
// timeout_ms) for every program's readiness; kNone: ready once started.
struct Readiness {
  enum class Kind {
    kNone,
    kTcp,      // a TCP socket listening on `port` in the node's network namespace
    kUdp,      // a UDP socket bound to `port` in the node's network namespace
    kFile,     // `path` exists, as the program sees the file system
    kCommand,  // `command` (an argv, run in the node as the program runs) exits 0
    kLogLine,  // a line of the program's output (stdout or stderr) contains `text`
  };
  Kind kind = Kind::kNone;
  int port = 0;
  std::string path;
  std::vector<std::string> command;
  std::string text;
  int timeout_ms = 30000;

  bool operator==(const Readiness&) const = default;
};
// "none", "tcp", "udp", "file", "command", "log"
inline const char* ReadinessKindName(Readiness::Kind k) {
  switch (k) {
    case Readiness::Kind::kNone:
      return "none";
    case Readiness::Kind::kTcp:
      return "tcp";
    case Readiness::Kind::kUdp:
      return "udp";
    case Readiness::Kind::kFile:
      return "file";
    case Readiness::Kind::kCommand:
      return "command";
    case Readiness::Kind::kLogLine:
      return "log";
  }
  return "?";
}

// One program of a node. It gets a clean environment (PATH and the variables
// of `env`; see docs/format.md), starts in `cwd` as `user`, with its output
// (stdout and stderr, interleaved) appended to a log in the lab's state.
struct ProgramSpec {
  std::string name;               // unique within its node
  std::vector<std::string> argv;  // argv[0] looked up in PATH when it has no '/'; never a shell
  std::vector<std::pair<std::string, std::string>> env;  // in file order
  std::string cwd = "/";
  std::string user;                // a user name or numeric uid; "" runs as topo's user
  std::vector<std::string> after;  // "NODE/PROGRAM": start only once those are ready
  Readiness ready;
  int stop_timeout_ms = 2000;  // `down`: SIGTERM, this long, then SIGKILL

  bool operator==(const ProgramSpec&) const = default;
};

}  // namespace topo
