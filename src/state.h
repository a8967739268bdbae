// StateStore keeps what topo knows about labs that are up, under a root-only
// directory (/run/topo by default):
//
//   /run/topo/lock                    flock()ed by every up/down, so they never interleave
//   /run/topo/labs/LAB/plan.json      the compiled plan, written before the kernel is touched
//   /run/topo/labs/LAB/namespaces     the lab's namespace names, one a line (ownership look-ups)
//   /run/topo/labs/LAB/journal        append-only: "done N [previous-value]" after each action
//                                     completes, then "complete"
//
// The journal always says what exists: everything it marks done, plus perhaps
// the one action after the last it marks (the process may have died during it).
// Files are created with O_NOFOLLOW under a directory checked to be root's own
// and not a symlink.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plan.h"
#include "status.h"

namespace topo {

// An open journal of one lab; appends are single write(2) calls.
class Journal {
 public:
  Journal() = default;
  explicit Journal(int fd) : fd_(fd) {}
  Journal(Journal&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Journal& operator=(Journal&& other) noexcept;
  ~Journal();

  // Records that action `index` completed; `note` keeps what its inverse needs
  // (a sysctl's previous value).
  Status Done(size_t index, const std::string& note = "");
  Status Complete();
  // Flushes to stable storage; called at the end of each stage, not per action.
  Status Sync();
  bool is_open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// What the journal of a lab says.
struct LabRecord {
  Plan plan;
  std::vector<bool> done;               // parallel to plan.actions
  std::map<size_t, std::string> notes;  // index -> note
  bool complete = false;
  // The index of the action that may have been in progress when the process
  // died (the first one not marked done), or nullopt.
  std::optional<size_t> maybe_in_progress;
};

class StateStore {
 public:
  explicit StateStore(std::string dir = DefaultDir());
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // $TOPO_STATE_DIR, or /run/topo.
  static std::string DefaultDir();
  const std::string& dir() const { return dir_; }

  // Creates the directories (mode 0700) and checks they are safe to use and
  // writable. Every other call needs this first.
  Status Open();
  // Takes the store-wide lock, waiting for other topo processes; released by Unlock or destruction.
  Status Lock();
  void Unlock();

  std::vector<std::string> ListLabs() const;
  bool LabExists(const std::string& lab) const;
  // Namespace name -> the lab (other than `except`) that owns it, for every lab
  // that is up. Read once per `up`, not once per namespace.
  std::map<std::string, std::string> NamespaceOwners(const std::string& except = "") const;

  // Registers a lab before it is applied: writes plan.json and namespaces, opens the journal.
  Status CreateLab(const Plan& plan, Journal* journal);
  Status ReadLab(const std::string& lab, LabRecord* out) const;
  Status RemoveLab(const std::string& lab);

  // Extra files kept with a lab that is up and removed with it ("checks.json":
  // the lab's resolved checks, for `topo test --lab`). `name` is a plain file name.
  Status WriteLabFile(const std::string& lab, const std::string& name, const std::string& data);
  Status ReadLabFile(const std::string& lab, const std::string& name, std::string* out) const;

  // Lab names become path components; this refuses any that could escape.
  static bool IsSafeLabName(const std::string& lab);

 private:
  std::string LabDir(const std::string& lab) const { return dir_ + "/labs/" + lab; }

  std::string dir_;
  int lock_fd_ = -1;
};

}  // namespace topo
