// StateStore keeps what topo knows about labs that are up, under a root-only
// directory (/run/topo by default):
//
//   /run/topo/lock                    the store-wide lock: flock()ed only for the short
//                                     sections that change who owns which names (registering
//                                     a lab, removing its record)
//   /run/topo/locks/LAB               the lab's own lock: held by `up`, `down` and
//                                     `set-link` of that lab for as long as they run, so a
//                                     stuck lab (stopped with Ctrl-Z) blocks no other lab
//   /run/topo/labs/LAB/plan.json      the compiled plan, written before the kernel is touched
//   /run/topo/labs/LAB/namespaces     the lab's namespace names, one a line (ownership look-ups)
//   /run/topo/labs/LAB/journal        append-only: "plan N [namespaces-only]" first (with,
//                                     for a namespaces-only lab, the lines
//                                     lab/namespaces_only.h lists), then
//                                     "done N [previous-value]" after each action completes,
//                                     then "complete"; "before N previous-value" ahead of an
//                                     action whose inverse needs it (a root namespace
//                                     sysctl); later, for each `topo set-link`:
//                                     "set-link {json}" before the kernel is touched, then
//                                     "set-link-done" or "set-link-failed"; and, just
//                                     before the "done" line of an action that made it,
//                                     the identity of a namespace ("netns NS DEV:INO")
//                                     or of an interface of the root namespace
//                                     ("root-link IFNAME IFINDEX"), which teardown
//                                     checks before removing anything of that name
//                                     ; and "child PID START" before a program topo runs
//                                     itself (iptables-restore: kernel/children.h) may
//                                     run, "child-reaped PID START" once it was waited for
//   /run/topo/labs/LAB/nodes/NODE/    the node's private directories, stored files,
//                                     program logs and exit files (lab/node_runtime.h)
//
// A program (kStartProgram action N) is journaled twice: "before N \"PID START
// MPID MSTART\"" once its process exists, before it is let run (PID and START:
// the program's pid and its start time, field 22 of /proc/PID/stat; MPID and
// MSTART: its monitor's), and "done N \"...\"" (the same note) once it is
// ready. Teardown stops every program with a "before" line, ready or not, if
// that pid still has that start time, so a `down` after a killed `up` ends
// programs whose readiness was never seen; a recycled pid is never signalled.
//
// The journal always says what exists, as far as teardown needs to know:
// everything it marks done, plus perhaps the one action after the last it
// marks (the process may have died during it), plus perhaps actions inside
// namespaces it marks created (their lines are written in batches, see
// Journal::DoneLater; removing the namespace removes them anyway).
//
// Every file here is untrusted input when read: a state directory can be
// damaged, cut short or tampered with. No reader throws. ReadLab refuses a
// record that is not sound, naming the file and line (for that lab only);
// ReadLabForTeardown takes what survives of it (LabRecord::damage says what
// did not) so that `down` can still remove what the lab made.
//
// Durability is against the death of the process, not of the machine: lines
// reach the kernel's page cache with write(2) and are not fsynced, since what
// they describe (namespaces and what lives in them) does not survive a reboot
// either. plan.json and namespaces are fsynced once, before the kernel is
// touched.
// Files are created with O_NOFOLLOW under a directory checked to be root's own
// and not a symlink.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/program_process.h"
#include "model/status.h"
#include "plan/plan.h"

namespace topo {

// One `topo set-link` change of one interface, as the journal records it.
struct LinkChange {
  enum class State { kPending, kDone, kFailed };
  std::string ns, node, ifname;
  Impairment impairment;  // the whole impairment after the change ("none" clears)
  State state = State::kPending;
};

// An open journal of one lab; appends are single write(2) calls.
class Journal {
 public:
  Journal() = default;
  explicit Journal(int fd) : fd_(fd) {}
  Journal(Journal&& other) noexcept : fd_(other.fd_), pending_(std::move(other.pending_)) {
    other.fd_ = -1;
  }
  Journal& operator=(Journal&& other) noexcept;
  ~Journal();  // writes what DoneLater kept

  // Records that action `index` completed; `note` keeps what its inverse needs
  // (a sysctl's previous value). Written before it returns, after any DoneLater lines.
  Status Done(size_t index, const std::string& note = "");
  // The identity of what action `done` is about to record made: a namespace
  // ("DEV:INO", Backend::NamespaceIdentity) or an interface of the root
  // namespace (its ifindex). Written with the next line that is written.
  void NamespaceMade(const std::string& ns, const std::string& id);
  void RootLinkMade(const std::string& ifname, int index);
  // Records, before action `index` runs, the note its inverse will need, so
  // that it is known even if the process dies during the action.
  Status Before(size_t index, const std::string& note);
  // Like Done, but the line may be kept in memory and written later (with the
  // next Done, Complete, Flush, or when 64 KiB have gathered): only for actions
  // that removing their namespace undoes, whose namespace is already recorded.
  Status DoneLater(size_t index, const std::string& note = "");
  Status Flush();
  Status Complete();
  // Records a child topo runs itself (kernel/children.h) before it may run
  // (written before it returns, after any DoneLater lines), and that it was
  // waited for (kept like a DoneLater line).
  Status ChildStarted(const ProcessIdentity& child);
  void ChildReaped(const ProcessIdentity& child);
  // Records (and syncs) a set-link change before it is applied, then its outcome.
  Status BeginLinkChange(const LinkChange& change);
  Status EndLinkChange(bool ok);
  // Flushes to stable storage (fdatasync). Apply does not call it; see above.
  Status Sync();
  bool is_open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  std::string pending_;  // DoneLater lines not written yet
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
  // `topo set-link` changes after the lab came up, in order. A kPending one
  // last means a set-link died while changing the kernel.
  std::vector<LinkChange> link_changes;
  // The children topo ran itself that the journal records as started and not
  // as waited for (Journal::ChildStarted): one may still be running, if that
  // pid still has that start time.
  std::vector<ProcessIdentity> children;
  // The journal's last line has no newline: an append that did not finish
  // (not damage; nothing more should be appended after it).
  bool torn = false;

  // The impairment of every impaired interface, "ns:ifname" -> impairment: the
  // plan's completed set-impairment actions, then each set-link change that
  // did not fail (a pending one counts: it is what was last asked for).
  std::map<std::string, Impairment> Impairments() const;

  // ReadLabForTeardown: actions left out of `plan` because removing the lab's
  // namespaces undoes them.
  size_t omitted = 0;

  // What `up` journaled about the objects it made (see Journal::NamespaceMade):
  // namespace -> "DEV:INO", and root namespace interface -> ifindex.
  std::map<std::string, std::string> namespace_ids;
  std::map<std::string, int> root_links;
  // What is wrong with the record, in words ("the journal is empty", "plan.json
  // is missing", "journal line 4: ..."); empty when it is sound. Only
  // ReadLabForTeardown returns a damaged record: then every action of `plan`
  // may have been done (`done` is all true), and `plan` may be only what the
  // files that survive say (the namespaces, with their /etc/netns files).
  std::vector<std::string> damage;
  // False when plan.json was lost: what the lab did outside its namespaces is
  // not known.
  bool plan_known = true;
  // Only the namespaces file is there: an `up` killed while registering (if
  // none of them exists) or a record stripped of plan.json and journal.
  bool registering = false;
};

// Waits for the flock of `path` (created 0600 if missing), as StateStore::Lock
// does (interruptible, the holder named, unless `interruptible` is false: then
// a signal does not end the wait), and writes the holder's line into it. With
// `must_stay`, a file unlinked while this process waited is not the lock any
// more: the wait starts again on the file now at `path`. *fd_out holds the lock
// until it is closed.
Status LockFile(const std::string& path, bool must_stay, int* fd_out, bool interruptible = true);
// mkdir -m 0700 of `path` (its parent must exist), refusing a symlink, a
// directory of another user, or one open to others that this call did not make.
Status EnsurePrivateDirectory(const std::string& path);
// Reads a file without following a symlink at its last component.
Status ReadFileNoFollow(const std::string& path, std::string* out);
// Writes a whole file atomically: a temporary file, fsync, rename.
Status WriteFileAtomic(const std::string& path, const std::string& data);
// The same for a file made in pieces: `produce` hands them to its sink.
using FileProducer = std::function<void(const std::function<void(std::string_view)>& sink)>;
Status WriteFileAtomic(const std::string& path, const FileProducer& produce);

class StateStore {
 public:
  // `dir` is used as it is when it does not exist yet (Open creates it, 0700)
  // or is a directory open to no one else; a shared directory (TOPO_STATE_DIR
  // pointed at /tmp, a 0755 directory, anything with the sticky, setuid or
  // setgid bit) is left exactly as it is, and the store is its subdirectory
  // `topo` instead. Open never changes the modes of the store's own directory,
  // which topo may not have made: it refuses one that is not 0700.
  explicit StateStore(const std::string& dir = DefaultDir());
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // $TOPO_STATE_DIR, or /run/topo.
  static std::string DefaultDir();
  // The directory a store given `dir` uses (see the constructor).
  static std::string ResolveDir(const std::string& dir);
  const std::string& dir() const { return dir_; }

  // Creates the directories (mode 0700) and checks they are safe to use and
  // writable. Every other call needs this first.
  Status Open();
  // Takes the store-wide lock, waiting for other topo processes; released by
  // Unlock or destruction. The holder writes its pid and the time into the
  // lock file. A signal that interrupts the wait (one topo catches: Ctrl-C,
  // SIGTERM) ends it: Interrupted, naming the holder and since when. Held only
  // for the short sections that decide who owns which names (CreateLab after
  // the collision checks, RemoveLab): never while the kernel is changed.
  // Not `interruptible`: for what must finish once it has begun (removing the
  // record of a lab whose objects are gone).
  Status Lock(bool interruptible = true);
  void Unlock();
  // Takes the lock of one lab (the same waits and messages), held for the
  // whole of an `up`, `down` or `set-link` of it. Always taken before Lock,
  // never while holding it. UnlockLab removes the lock file too when the lab
  // is not up (a waiter that then gets the removed file's lock takes the new
  // one instead).
  Status LockLab(const std::string& lab);
  void UnlockLab();

  std::vector<std::string> ListLabs() const;
  // Whether the lab has a record: plan.json or a journal (one without the
  // other is a damaged record, which `status` reports and `down` removes).
  bool LabExists(const std::string& lab) const;
  // Namespace name -> the lab (other than `except`) that owns it, for every lab
  // that is up. Read once per `up`, not once per namespace.
  std::map<std::string, std::string> NamespaceOwners(const std::string& except = "") const;

  // Registers a lab before it is applied: writes plan.json and namespaces, opens the journal.
  Status CreateLab(const Plan& plan, Journal* journal);
  Status ReadLab(const std::string& lab, LabRecord* out) const;
  // Opens the journal of a lab that is up, to append to it.
  Status OpenJournal(const std::string& lab, Journal* journal) const;

  // What teardown needs, which for a complete lab whose every action lives in
  // its own namespaces, their /etc/netns files and its nodes
  // ("namespaces-only", lab/namespaces_only.h) is the namespace creations, the
  // /etc/netns files and the programs: read from the namespaces file and the
  // journal, without parsing plan.json (`omitted` counts the rest). Other labs
  // are read in full, as by ReadLab.
  //
  // A damaged record (an empty, cut or corrupt journal; a lost or corrupt
  // plan.json, whose place `fallback` takes when it is given and names the same
  // lab and namespaces) is returned as what survives, with `damage` saying
  // what did not. NotFound only when the lab has no record at all (neither
  // plan.json nor journal: an `up` killed while registering, which never
  // touched the kernel). A state file that cannot be read safely (a symlink,
  // EACCES) is an error, not damage.
  Status ReadLabForTeardown(const std::string& lab, LabRecord* out,
                            const Plan* fallback = nullptr) const;
  // The namespaces the lab's namespaces file names (valid names only).
  std::vector<std::string> NamedNamespaces(const std::string& lab) const;
  Status RemoveLab(const std::string& lab);

  // Extra files kept with a lab that is up and removed with it ("checks.json":
  // the lab's resolved checks, for `topo test --lab`). `name` is a plain file name.
  Status WriteLabFile(const std::string& lab, const std::string& name, const std::string& data);
  Status ReadLabFile(const std::string& lab, const std::string& name, std::string* out) const;
  // The path of such a file, for what appends to it (the CLI's log, "log").
  std::string LabFilePath(const std::string& lab, const std::string& name) const {
    return LabDir(lab) + "/" + name;
  }

  // Lab names become path components; this refuses any that could escape.
  static bool IsSafeLabName(const std::string& lab);
  // The lab's directory (its nodes' files, logs: lab/node_runtime.h).
  std::string LabDir(const std::string& lab) const { return dir_ + "/labs/" + lab; }

 private:
  std::string dir_;
  int lock_fd_ = -1;
  int lab_lock_fd_ = -1;
  std::string lab_lock_;  // the lab whose lock lab_lock_fd_ holds
};

}  // namespace topo
