#include "lab/sysctl_owners.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kernel/netns.h"
#include "lab/state.h"
#include "model/sysctl_aliases.h"

namespace topo {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The registry's entries; a missing, unreadable or damaged file holds none
// (its owners are then unknown, as after a reboot).
json Load(const std::string& path) {
  std::string text;
  if (!ReadFileNoFollow(path, &text).ok()) return json::array();
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return json::array();
  json out = json::array();
  for (const json& e : j) {
    if (e.is_object() && e.contains("owners") && e["owners"].is_array()) out.push_back(e);
  }
  return out;
}

Status Save(const std::string& path, const json& entries) {
  if (entries.empty()) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::FromErrno("remove " + path, errno);
    }
    return Status::OK();
  }
  return WriteFileAtomic(path, entries.dump(1, ' ', false, json::error_handler_t::replace) + "\n");
}

// Whether the lab an owner names is still recorded in its state directory,
// with a root sysctl of setting `key` in its plan.
bool Live(const json& owner, const std::string& key) {
  const std::string dir = Str(owner, "dir"), lab = Str(owner, "lab");
  if (dir.empty() || dir[0] != '/' || !StateStore::IsSafeLabName(lab)) return false;
  StateStore store(dir);
  LabRecord rec;
  if (!store.ReadLab(lab, &rec).ok()) return false;
  for (const Action& a : rec.plan.actions) {
    if (SysctlOwners::Counts(a) && CanonicalSysctlKey(a.key()) == key) return true;
  }
  return false;
}

// "lab 'L'" or "lab 'L' (state directory D)" when D is not `mine`.
std::string Who(const json& owner, const std::string& mine) {
  const std::string dir = Str(owner, "dir");
  return "lab '" + Str(owner, "lab") + "'" + (dir == mine ? "" : " (state directory " + dir + ")");
}

}  // namespace

SysctlOwners::SysctlOwners(std::string registry_dir, std::string state_dir, std::string lab)
    : registry_dir_(std::move(registry_dir)),
      state_dir_(std::move(state_dir)),
      lab_(std::move(lab)) {
  char real[PATH_MAX];
  if (::realpath(state_dir_.c_str(), real)) state_dir_ = real;
}

std::string SysctlOwners::DefaultDir() {
  const char* env = std::getenv("TOPO_REGISTRY_DIR");
  return env && *env ? env : "/run/topo/registry";
}

bool SysctlOwners::Counts(const Action& a) {
  return a.kind == ActionKind::kSetSysctl && a.ns.empty();
}

Status SysctlOwners::Open(int* lock_fd, std::string* netns, nlohmann::json* entries,
                          bool interruptible) {
  if (Status s = CurrentNetnsId(netns); !s.ok()) return s;
  // The parent (/run/topo) may be a store of its own: only made if missing.
  const std::string parent = registry_dir_.substr(0, registry_dir_.find_last_of('/'));
  if (!parent.empty()) ::mkdir(parent.c_str(), 0700);
  if (Status s = EnsurePrivateDirectory(registry_dir_); !s.ok()) return s;
  if (Status s = LockFile(registry_dir_ + "/lock", /*must_stay=*/false, lock_fd, interruptible);
      !s.ok()) {
    return s;
  }
  *entries = Load(registry_dir_ + "/sysctls");
  return Status::OK();
}

namespace {

// The lock of the registry, released at the end of the scope.
struct Locked {
  int fd = -1;
  ~Locked() {
    if (fd >= 0) ::close(fd);
  }
};

// The entry of setting `key` in namespace `netns`, or entries.end().
json::iterator Find(json& entries, const std::string& netns, const std::string& key) {
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (Str(*it, "netns") == netns && Str(*it, "key") == key) return it;
  }
  return entries.end();
}

// Drops the owners of `e` that are this lab (`self` true) or stale; returns
// whether this lab was one of them.
bool Prune(json& e, const std::string& dir, const std::string& lab) {
  bool mine = false;
  json kept = json::array();
  const std::string key = Str(e, "key");
  for (const json& o : e["owners"]) {
    if (Str(o, "dir") == dir && Str(o, "lab") == lab) {
      mine = true;
    } else if (Live(o, key)) {
      kept.push_back(o);
    }
  }
  e["owners"] = kept;
  return mine;
}

// Whether a note's line is "KEY=...".
bool IsLineOf(const std::string& line, const std::string& key) {
  return line.size() > key.size() && line.compare(0, key.size(), key) == 0 &&
         line[key.size()] == '=';
}

// The value `note` (lab/actions.h: the value, then KEY=VALUE lines of the
// keys the kernel propagates it to) gives `key`; false when it names none.
bool NoteValue(const std::string& note, const std::string& key, std::string* value) {
  std::istringstream lines(note);
  std::string line;
  std::getline(lines, line);  // the value itself
  while (std::getline(lines, line)) {
    if (IsLineOf(line, key)) {
      *value = line.substr(key.size() + 1);
      return true;
    }
  }
  return false;
}

// The value a note restores (its first line).
std::string NoteFirstLine(const std::string& note) { return note.substr(0, note.find('\n')); }

// `note` with `key`'s line set to `value` (added when it has none).
std::string WithNoteValue(const std::string& note, const std::string& key,
                          const std::string& value) {
  std::istringstream lines(note);
  std::string line, out;
  std::getline(lines, line);
  out = line;
  bool found = false;
  while (std::getline(lines, line)) {
    if (IsLineOf(line, key)) {
      line = key + "=" + value;
      found = true;
    }
    out += "\n" + line;
  }
  return found ? out : out + "\n" + key + "=" + value;
}

// The live owners (other than this lab) of the settings tied to `key` by
// propagation, each with its entry: for a key the kernel copies a setting
// into (conf.IF.forwarding), that setting (conf.all.forwarding); for such a
// setting, every key it is copied into that has an entry.
std::vector<json*> Tied(json& entries, const std::string& netns, const std::string& key,
                        const std::string& dir, const std::string& lab) {
  std::vector<json*> out;
  const std::string covering = PropagatingSysctlKey(key);
  for (json& e : entries) {
    if (Str(e, "netns") != netns) continue;
    const std::string other = Str(e, "key");
    if ((covering.empty() || other != covering) && PropagatingSysctlKey(other) != key) continue;
    json kept = e;
    Prune(kept, dir, lab);
    if (!kept["owners"].empty()) out.push_back(&e);
  }
  return out;
}

// Why setting `key` (named `as`) to `value` clashes with a live owner of a
// setting tied to it by propagation that holds another value ("" if none):
// the kernel would copy one over the other, and restoring one would undo
// the other.
std::string TiedClash(json& entries, const std::string& netns, const std::string& key,
                      const std::string& as, const std::string& value, const std::string& dir,
                      const std::string& lab) {
  for (json* e : Tied(entries, netns, key, dir, lab)) {
    if (CollapseSysctlValue(Str(*e, "value")) == CollapseSysctlValue(value)) continue;
    json owners = *e;
    Prune(owners, dir, lab);
    const json& owner = owners["owners"][0];
    const std::string other = Str(owner, "as").empty() ? Str(*e, "key") : Str(owner, "as");
    const bool covers = PropagatingSysctlKey(key) == Str(*e, "key");
    return "sysctl " + as + " of the root namespace cannot be " + value + ": " + Who(owner, dir) +
           " sets " + other + " to " + Str(*e, "value") +
           (covers ? ", which the kernel copies into " + as
                   : ", which the kernel would overwrite with it");
  }
  return "";
}

}  // namespace

Status SysctlOwners::Claim(const Action& a, const std::string& now, std::string* original) {
  *original = now;
  std::string netns;
  Locked lock;
  json entries;
  if (Status s = Open(&lock.fd, &netns, &entries); !s.ok()) return s;
  const std::string path = registry_dir_ + "/sysctls";
  const std::string key = CanonicalSysctlKey(a.key());
  const json self = {{"dir", state_dir_}, {"lab", lab_}, {"as", a.key()}};
  if (std::string clash = TiedClash(entries, netns, key, a.key(), a.value(), state_dir_, lab_);
      !clash.empty()) {
    return Status::AlreadyExists(clash);
  }
  // A key the kernel copied a live owner's setting into holds that value
  // now: its original is what that owner found there.
  std::string found;
  for (json* e : Tied(entries, netns, key, state_dir_, lab_)) {
    if (Str(*e, "key") == PropagatingSysctlKey(key)) {
      if (NoteValue(Str(*e, "original"), key, &found)) *original = found;
    }
  }
  auto it = Find(entries, netns, key);
  if (it != entries.end()) {
    Prune(*it, state_dir_, lab_);
    if (!(*it)["owners"].empty()) {
      if (CollapseSysctlValue(Str(*it, "value")) != CollapseSysctlValue(a.value())) {
        return Status::AlreadyExists("sysctl " + a.key() + " of the root namespace is set to " +
                                     Str(*it, "value") + " by " +
                                     Who((*it)["owners"][0], state_dir_));
      }
      (*it)["owners"].push_back(self);
      *original = Str(*it, "original");
      return Save(path, entries);
    }
    entries.erase(it);
  }
  entries.push_back({{"netns", netns},
                     {"key", key},
                     {"value", a.value()},
                     {"original", *original},
                     {"owners", json::array({self})}});
  return Save(path, entries);
}

Status SysctlOwners::Release(const Action& a, const std::string& journal_note,
                             const std::function<Status(const std::string&)>& restore,
                             bool* restored) {
  *restored = false;
  std::string netns;
  Locked lock;
  json entries;
  if (Status s = Open(&lock.fd, &netns, &entries, /*interruptible=*/false); !s.ok()) {
    return s;
  }
  const std::string path = registry_dir_ + "/sysctls";
  auto it = Find(entries, netns, CanonicalSysctlKey(a.key()));
  if (it == entries.end()) {
    // No owner known (a lab brought up before the registry, a lost registry):
    // what this lab's journal says.
    if (journal_note.empty()) return Status::OK();  // the old value was never read
    *restored = true;
    return restore(journal_note);
  }
  json e = *it;
  Prune(e, state_dir_, lab_);
  if (!e["owners"].empty()) {
    *it = e;
    return Save(path, entries);
  }
  std::string original = Str(e, "original");
  if (original.empty()) original = journal_note;
  const std::string key = Str(e, "key");
  for (json* tied : Tied(entries, netns, key, state_dir_, lab_)) {
    if (Str(*tied, "key") == PropagatingSysctlKey(key)) {
      // A live owner of the setting the kernel copies into this key: it keeps
      // the value (theirs is the same), and restores this key's original
      // when it goes.
      const std::string theirs = Str(*tied, "original");
      if (!theirs.empty() && !original.empty()) {
        (*tied)["original"] = WithNoteValue(theirs, key, NoteFirstLine(original));
      }
      entries.erase(it);
      return Save(path, entries);
    }
    // A key this setting is copied into, owned by a live lab: restoring the
    // setting copies its original there too, so that lab's value is written
    // back after it (that lab restores the key's original when it goes).
    original = WithNoteValue(original, Str(*tied, "key"), Str(*tied, "value"));
  }
  *restored = true;
  if (Status s = restore(original); !s.ok() && !s.IsNotFound()) {
    return s;  // the entry stays, naming this lab: a second `down` restores it
  }
  entries.erase(it);
  return Save(path, entries);
}

std::vector<std::string> SysctlOwners::Conflicts(const Plan& plan) {
  std::vector<std::string> problems;
  std::vector<const Action*> mine;
  for (const Action& a : plan.actions) {
    if (Counts(a)) mine.push_back(&a);
  }
  if (mine.empty()) return problems;
  std::string netns;
  Locked lock;
  json entries;
  if (Status s = Open(&lock.fd, &netns, &entries); !s.ok()) {
    return {"cannot read the owners of root sysctls: " + s.message()};
  }
  for (const Action* a : mine) {
    const std::string key = CanonicalSysctlKey(a->key());
    if (std::string clash = TiedClash(entries, netns, key, a->key(), a->value(), state_dir_, lab_);
        !clash.empty()) {
      problems.push_back(clash);
      continue;
    }
    auto it = Find(entries, netns, key);
    if (it == entries.end()) continue;
    Prune(*it, state_dir_, lab_);
    if ((*it)["owners"].empty() ||
        CollapseSysctlValue(Str(*it, "value")) == CollapseSysctlValue(a->value()))
      continue;
    const json& owner = (*it)["owners"][0];
    const std::string as = Str(owner, "as");
    problems.push_back("sysctl " + a->key() + " of the root namespace is already set to " +
                       Str(*it, "value") + " by " + Who(owner, state_dir_) +
                       (as == a->key() || as.empty() ? "" : " (as " + as + ", the same setting)"));
  }
  return problems;
}

}  // namespace topo
