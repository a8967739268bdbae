// What runs in a lab's nodes: their private directories, stored files and
// programs (plan actions kMakeNodeDir, kWriteNodeFile, kStartProgram). Where
// the bytes are kept, under the lab's state directory (see state.h):
//
//   LAB/nodes/NODE/fs/PATH           a private directory (empty at up) or a
//                                    stored file, at its path in the node
//                                    ("fs/run/frr", "fs/etc/frr/frr.conf"); a
//                                    file under a private directory is inside it
//   LAB/nodes/NODE/skel/HEX/...      skeletons that make paths missing on the
//                                    machine exist in the node (node_view.h)
//   LAB/nodes/NODE/logs/PROG.log     the program's stdout and stderr, appended
//   LAB/nodes/NODE/logs/PROG.exit    how it ended, written by its monitor:
//                                    "exited N" or "signal N" (empty while it runs)
//
// Everything is created without following symlinks and goes when the lab's
// record goes (down, a rollback that undid everything). NodeRuntime is the
// interface Apply uses; LocalNodeRuntime is the real one (processes, files),
// and tests/support has a recording twin. A runtime is used by one thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kernel/node_view.h"
#include "kernel/program_process.h"
#include "model/status.h"
#include "plan/plan.h"

namespace topo {

class NodeRuntime {
 public:
  virtual ~NodeRuntime() = default;

  virtual Status MakeNodeDir(const Action& a) = 0;
  virtual Status WriteNodeFile(const Action& a) = 0;

  // Makes the program's process, held before it runs; *note gets its identity
  // as the journal keeps it (what StopProgram needs).
  virtual Status SpawnProgram(size_t index, const Action& a, std::string* note) = 0;
  // Lets a spawned program run.
  virtual Status ReleaseProgram(size_t index) = 0;
  // Drops a spawned program that was never released: it exits without running.
  virtual void AbandonProgram(size_t index) = 0;

  enum class Progress { kWaiting, kReady, kExited };
  // Whether a released program is ready by its readiness, or has exited
  // (*why then says how: "exited with status 1").
  virtual Progress CheckProgram(size_t index, const Action& a, std::string* why) = 0;
  // The last lines of the program's output, for error messages.
  virtual std::string ProgramLogTail(const Action& a, size_t lines) = 0;
};

// The directory of `node`'s state, under a lab's directory.
std::string NodeStateDir(const std::string& lab_dir, const std::string& node);
// The program's log and exit status files.
std::string ProgramLogPath(const std::string& lab_dir, const std::string& node,
                           const std::string& program);
std::string ProgramExitPath(const std::string& lab_dir, const std::string& node,
                            const std::string& program);

// Reads a program's exit file ("exited N", "signal N"; "" while it runs).
void ReadProgramExit(const std::string& path, std::string* how);

// The view of `node` (whose namespace is `ns`) that the plan's private
// directories and files make: what its programs and `topo exec` enter.
NodeView MakeNodeView(const Plan& plan, const std::string& lab_dir, const std::string& node,
                      const std::string& ns, const std::string& netns_dir = "/run/netns");

// The clean environment of a program (docs/format.md): PATH, HOME, USER and
// LOGNAME (with a user), TOPO_LAB, TOPO_NODE, TOPO_NS, then the program's env.
std::vector<std::string> ProgramEnvironment(const Plan& plan, const Action& a,
                                            const ResolvedUser& user);

class LocalNodeRuntime : public NodeRuntime {
 public:
  LocalNodeRuntime(const Plan& plan, std::string lab_dir, std::string netns_dir = "/run/netns");
  ~LocalNodeRuntime() override;

  Status MakeNodeDir(const Action& a) override;
  Status WriteNodeFile(const Action& a) override;
  Status SpawnProgram(size_t index, const Action& a, std::string* note) override;
  Status ReleaseProgram(size_t index) override;
  void AbandonProgram(size_t index) override;
  Progress CheckProgram(size_t index, const Action& a, std::string* why) override;
  std::string ProgramLogTail(const Action& a, size_t lines) override;

 private:
  struct Running;
  Status EnsureNodeDirs(const std::string& node);
  const NodeView& ViewOf(const Action& a);

  const Plan& plan_;
  std::string lab_dir_, netns_dir_;
  std::map<std::string, NodeView> views_;
  ViewBase base_;
  std::map<size_t, std::unique_ptr<Running>> running_;
};

// Ends a program that `note` (from SpawnProgram, as journaled) identifies, if
// it is still that process: SIGTERM, stop_timeout_ms, SIGKILL; then waits for
// its monitor. OK when it is gone or the note is empty.
Status StopProgram(const std::string& note, int stop_timeout_ms);
// StopProgram for many programs at once (in the order given: reverse plan
// order for `down`), in parallel; one status per program.
std::vector<Status> StopPrograms(const std::vector<std::string>& notes,
                                 const std::vector<int>& stop_timeouts_ms);
// The program's identity in such a note ("PID START MPID MSTART").
bool ProgramFromNote(const std::string& note, ProcessIdentity* program);

}  // namespace topo
