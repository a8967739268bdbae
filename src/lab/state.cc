#include "lab/state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "kernel/netns.h"
#include "model/diagnostic.h"

namespace topo {

namespace {
Status EnsurePrivateDir(const std::string& path, bool tighten = true);
}  // namespace

Status EnsurePrivateDirectory(const std::string& path) {
  return EnsurePrivateDir(path, /*tighten=*/false);
}

Status WriteFileAtomic(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("create " + tmp, errno);
  Status s = WriteAll(fd, data, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = Status::FromErrno("fsync " + tmp, errno);
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = Status::FromErrno("rename " + tmp, errno);
  }
  if (!s.ok()) ::unlink(tmp.c_str());
  return s;
}

Status ReadFileNoFollow(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + path, errno);
  out->clear();
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return Status::FromErrno("read " + path, e);
    }
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return Status::OK();
}

namespace {

// mkdir -m 0700 that refuses to use a symlink or a directory someone else owns.
// With `tighten`, looser modes are made 0700 (for directories inside the
// store, which only topo creates); without, they are refused unless this call
// just created the directory.
Status EnsurePrivateDir(const std::string& path, bool tighten) {
  const bool created = ::mkdir(path.c_str(), 0700) == 0;
  if (!created && errno != EEXIST) return Status::FromErrno("create directory " + path, errno);
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return Status::FromErrno("stat " + path, errno);
  if (!S_ISDIR(st.st_mode)) return Status::IOError(path + " is not a directory");
  if (st.st_uid != ::geteuid()) {
    return Status::IOError(path + " belongs to another user; refusing to use it");
  }
  if (st.st_mode & 07077) {
    if (!tighten && !created) {  // a setgid parent gives a new directory its bit
      char mode[8];
      std::snprintf(mode, sizeof(mode), "%04o", st.st_mode & 07777);
      return Status::IOError(path + " is not private (mode " + mode +
                             "); topo does not change the modes of a directory it did not make");
    }
    if (::chmod(path.c_str(), 0700) != 0) return Status::FromErrno("chmod " + path, errno);
  }
  return Status::OK();
}

// Removes a lab directory and the files in it. A symlink in its place is
// removed itself, never followed: the files it points at stay.
// Removes everything under the directory fd `dir` (which it closes), depth
// first, never following a symlink: a symlink is removed, not its target.
void RemoveContents(int dir) {
  DIR* d = ::fdopendir(dir);
  if (!d) {
    ::close(dir);
    return;
  }
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (::unlinkat(dir, name.c_str(), 0) == 0) continue;
    if (errno != EISDIR && errno != EPERM) continue;
    int sub = ::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) continue;
    RemoveContents(sub);
    ::unlinkat(dir, name.c_str(), AT_REMOVEDIR);
  }
  ::closedir(d);
}

Status RemoveTree(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::OK();
    if (errno == ELOOP || errno == ENOTDIR) {
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return Status::FromErrno("remove " + path, errno);
      }
      return Status::OK();
    }
    return Status::FromErrno("open " + path, errno);
  }
  RemoveContents(fd);
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno("remove " + path, errno);
  }
  return Status::OK();
}

// The journal's first line: "plan N", plus " namespaces-only" when removing
// the lab's namespaces undoes every other action (see ReadLabForTeardown).
std::string JournalHeader(const Plan& plan) {
  std::set<std::string> own(plan.namespaces.begin(), plan.namespaces.end());
  bool namespaces_only = true;
  for (const Action& a : plan.actions) {
    if (a.kind == ActionKind::kCreateNamespace) {
      namespaces_only = namespaces_only && own.count(a.ns);
    } else {
      namespaces_only = namespaces_only && a.UndoneByNamespaceRemoval() && own.count(a.ns) &&
                        (a.kind != ActionKind::kCreateVeth || own.count(a.peer_ns));
    }
  }
  return "plan " + std::to_string(plan.actions.size()) +
         (namespaces_only ? " namespaces-only" : "") + "\n";
}

// True when `path` is a directory itself, not a symlink to one.
bool IsRealDirectory(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

// ---- Journal ----

Journal& Journal::operator=(Journal&& other) noexcept {
  if (this != &other) {
    Flush();
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    pending_ = std::move(other.pending_);
    other.fd_ = -1;
  }
  return *this;
}

Journal::~Journal() {
  Flush();
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// `text` as a JSON string; bytes that are not UTF-8 become U+FFFD rather than
// throwing (a note may hold whatever the kernel reported).
std::string JsonString(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AppendDoneLine(std::string* out, size_t index, const std::string& note) {
  *out += "done ";
  *out += std::to_string(index);
  if (!note.empty()) *out += " " + JsonString(note);
  *out += "\n";
}

}  // namespace

Status Journal::Done(size_t index, const std::string& note) {
  AppendDoneLine(&pending_, index, note);
  return Flush();
}

Status Journal::DoneLater(size_t index, const std::string& note) {
  AppendDoneLine(&pending_, index, note);
  return pending_.size() >= 65536 ? Flush() : Status::OK();
}

Status Journal::Flush() {
  if (pending_.empty() || fd_ < 0) return Status::OK();
  Status s = WriteAll(fd_, pending_, "journal");
  pending_.clear();
  return s;
}

Status Journal::Before(size_t index, const std::string& note) {
  return WriteAll(fd_, "before " + std::to_string(index) + " " + JsonString(note) + "\n",
                  "journal");
}

Status Journal::Complete() {
  pending_ += "complete\n";
  return Flush();
}

Status Journal::BeginLinkChange(const LinkChange& c) {
  nlohmann::json j = {{"ns", c.ns},
                      {"node", c.node},
                      {"ifname", c.ifname},
                      {"impairment", ImpairmentToJson(c.impairment)}};
  Status s = WriteAll(fd_, "set-link " + j.dump() + "\n", "journal");
  if (s.ok()) s = Sync();
  return s;
}

Status Journal::EndLinkChange(bool ok) {
  Status s = WriteAll(fd_, ok ? "set-link-done\n" : "set-link-failed\n", "journal");
  if (s.ok()) s = Sync();
  return s;
}

Status Journal::Sync() {
  if (::fdatasync(fd_) != 0) return Status::FromErrno("sync journal", errno);
  return Status::OK();
}

std::map<std::string, Impairment> LabRecord::Impairments() const {
  std::map<std::string, Impairment> out;
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    const Action& a = plan.actions[i];
    if (a.kind == ActionKind::kSetImpairment && i < done.size() && done[i]) {
      out[a.ns + ":" + a.ifname] = a.impairment;
    }
  }
  for (const LinkChange& c : link_changes) {
    if (c.state == LinkChange::State::kFailed) continue;
    if (c.impairment.IsNone()) {
      out.erase(c.ns + ":" + c.ifname);
    } else {
      out[c.ns + ":" + c.ifname] = c.impairment;
    }
  }
  return out;
}

// ---- StateStore ----

std::string StateStore::ResolveDir(const std::string& dir) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07077) != 0) {
    return dir + "/topo";
  }
  return dir;
}

StateStore::StateStore(const std::string& dir) : dir_(ResolveDir(dir)) {}

StateStore::~StateStore() {
  Unlock();
  UnlockLab();
}

std::string StateStore::DefaultDir() {
  const char* env = std::getenv("TOPO_STATE_DIR");
  return env && *env ? env : "/run/topo";
}

bool StateStore::IsSafeLabName(const std::string& lab) {
  if (lab.empty() || lab.size() > 128 || lab[0] == '.' || lab[0] == '-') return false;
  for (char c : lab) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

Status StateStore::Open() {
  Status s = EnsurePrivateDir(dir_, /*tighten=*/false);
  if (s.ok()) s = EnsurePrivateDir(dir_ + "/labs");
  if (!s.ok()) return s;
  if (::access(dir_.c_str(), W_OK) != 0) {
    return Status::FromErrno("state directory " + dir_ + " is not writable", errno);
  }
  return Status::OK();
}

namespace {

// "process 1234 (topo up lab.yaml) since 2026-11-30 00:12:03 UTC", from the
// line the holder wrote into the lock file ("" if there is none).
std::string LockHolder(int fd) {
  char buf[64] = {};
  ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  long pid = 0;
  long long since = 0;
  if (n <= 0 || std::sscanf(buf, "%ld %lld", &pid, &since) != 2 || pid <= 0) return "";
  std::string out = "process " + std::to_string(pid);
  std::string cmdline;
  int cfd = ::open(("/proc/" + std::to_string(pid) + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC);
  if (cfd >= 0) {
    char cbuf[256];
    ssize_t c = ::read(cfd, cbuf, sizeof(cbuf) - 1);
    ::close(cfd);
    for (ssize_t i = 0; i < c; ++i) cmdline += cbuf[i] == '\0' ? ' ' : cbuf[i];
    while (!cmdline.empty() && cmdline.back() == ' ') cmdline.pop_back();
  }
  if (!cmdline.empty()) out += " (" + EscapeForTerminal(cmdline) + ")";
  const time_t t = static_cast<time_t>(since);
  struct tm utc;
  char when[32];
  if (::gmtime_r(&t, &utc) && std::strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &utc)) {
    out += std::string(" since ") + when;
  }
  return out;
}

}  // namespace

Status LockFile(const std::string& path, bool must_stay, int* fd_out) {
  for (;;) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return Status::FromErrno("open " + path, errno);
    if (::flock(fd, LOCK_EX) != 0) {
      // EINTR: a signal topo catches (Ctrl-C, SIGTERM, `timeout`) ends the
      // wait, which is never retried; the holder is named.
      int e = errno;
      std::string holder = LockHolder(fd);
      ::close(fd);
      if (e == EINTR) {
        return Status::Interrupted("interrupted while waiting for the lock on " + path +
                                   (holder.empty() ? "" : ", held by " + holder));
      }
      return Status::FromErrno("lock " + path, e);
    }
    struct stat held, now;
    if (must_stay && (::fstat(fd, &held) != 0 || ::lstat(path.c_str(), &now) != 0 ||
                      held.st_ino != now.st_ino || held.st_dev != now.st_dev)) {
      ::close(fd);
      continue;
    }
    // Who holds the lock and since when, for whoever waits for it next.
    char line[64];
    int n = std::snprintf(line, sizeof(line), "%ld %lld\n", static_cast<long>(::getpid()),
                          static_cast<long long>(::time(nullptr)));
    if (::ftruncate(fd, 0) == 0 && n > 0) {
      ssize_t ignored = ::pwrite(fd, line, static_cast<size_t>(n), 0);
      (void)ignored;
    }
    *fd_out = fd;
    return Status::OK();
  }
}

Status StateStore::Lock() {
  if (lock_fd_ >= 0) return Status::OK();
  return LockFile(dir_ + "/lock", /*must_stay=*/false, &lock_fd_);
}

void StateStore::Unlock() {
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the flock
    lock_fd_ = -1;
  }
}

Status StateStore::LockLab(const std::string& lab) {
  if (!IsSafeLabName(lab)) return Status::InvalidArgument("'" + lab + "' is not a lab name");
  if (lab_lock_fd_ >= 0) {
    if (lab == lab_lock_) return Status::OK();
    return Status::InvalidArgument("already holding the lock of lab '" + lab_lock_ + "'");
  }
  if (Status s = EnsurePrivateDir(dir_ + "/locks"); !s.ok()) return s;
  Status s = LockFile(dir_ + "/locks/" + lab, /*must_stay=*/true, &lab_lock_fd_);
  if (s.ok()) lab_lock_ = lab;
  return s;
}

void StateStore::UnlockLab() {
  if (lab_lock_fd_ < 0) return;
  // Unlinked while still held: a waiter then finds its file gone and retries.
  if (!LabExists(lab_lock_)) ::unlink((dir_ + "/locks/" + lab_lock_).c_str());
  ::close(lab_lock_fd_);
  lab_lock_fd_ = -1;
  lab_lock_.clear();
}

std::vector<std::string> StateStore::ListLabs() const {
  std::vector<std::string> labs;
  DIR* d = ::opendir((dir_ + "/labs").c_str());
  if (!d) return labs;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (IsSafeLabName(name) && LabExists(name)) labs.push_back(name);
  }
  ::closedir(d);
  std::sort(labs.begin(), labs.end());
  return labs;
}

bool StateStore::LabExists(const std::string& lab) const {
  if (!IsSafeLabName(lab) || !IsRealDirectory(LabDir(lab))) return false;
  struct stat st;
  return ::lstat((LabDir(lab) + "/plan.json").c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::map<std::string, std::string> StateStore::NamespaceOwners(const std::string& except) const {
  std::map<std::string, std::string> owners;
  for (const std::string& lab : ListLabs()) {
    if (lab == except) continue;
    std::string text;
    if (!ReadFileNoFollow(LabDir(lab) + "/namespaces", &text).ok()) continue;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) owners.emplace(line, lab);
  }
  return owners;
}

Status StateStore::CreateLab(const Plan& plan, Journal* journal) {
  if (!IsSafeLabName(plan.lab))
    return Status::InvalidArgument("unsafe lab name '" + plan.lab + "'");
  std::string dir = LabDir(plan.lab);
  int rc = ::mkdir(dir.c_str(), 0700);
  if (rc != 0 && errno == EEXIST && IsRealDirectory(dir) && !LabExists(plan.lab)) {
    // A directory without plan.json is what an `up` killed while registering
    // leaves behind; it never touched the kernel, so its leftovers can go.
    RemoveTree(dir);
    rc = ::mkdir(dir.c_str(), 0700);
  }
  if (rc != 0) {
    if (errno == EEXIST) return Status::AlreadyExists("lab '" + plan.lab + "' is already up");
    return Status::FromErrno("create " + dir, errno);
  }
  std::string names;
  for (const std::string& ns : plan.namespaces) names += ns + "\n";
  Status s = WriteFileAtomic(dir + "/namespaces", names);
  if (s.ok()) s = WriteFileAtomic(dir + "/plan.json", PlanToJson(plan).dump(1) + "\n");
  if (s.ok()) {
    std::string path = dir + "/journal";
    int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
      s = Status::FromErrno("create " + path, errno);
    } else {
      *journal = Journal(fd);
      s = WriteAll(fd, JournalHeader(plan), path);
    }
  }
  if (!s.ok()) RemoveTree(dir);
  return s;
}

Status StateStore::ReadLab(const std::string& lab, LabRecord* out) const {
  if (!IsSafeLabName(lab)) return Status::InvalidArgument("'" + lab + "' is not a lab name");
  std::string dir = LabDir(lab);
  struct stat st;
  if (::lstat(dir.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
    return Status::IOError(dir + " is not a directory; refusing to follow it");
  }
  std::string text;
  Status s = ReadFileNoFollow(dir + "/plan.json", &text);
  if (!s.ok()) {
    return s.IsNotFound() ? Status::NotFound("lab '" + lab + "' is not up") : s;
  }
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status::IOError(dir + "/plan.json is corrupt");
  LabRecord rec;
  s = PlanFromJson(j, &rec.plan);
  if (!s.ok()) return s;
  rec.done.assign(rec.plan.actions.size(), false);
  s = ReadFileNoFollow(dir + "/journal", &text);
  if (!s.ok() && !s.IsNotFound()) return s;
  std::istringstream in(s.ok() ? text : "");
  std::string line;
  while (std::getline(in, line)) {
    if (line == "complete") {
      rec.complete = true;
      continue;
    }
    if (line.rfind("set-link ", 0) == 0) {
      nlohmann::json entry = nlohmann::json::parse(line.substr(9), nullptr, false);
      LinkChange c;
      if (entry.is_discarded() || !entry.is_object()) continue;  // torn: the kernel was not touched
      c.ns = entry.value("ns", "");
      c.node = entry.value("node", "");
      c.ifname = entry.value("ifname", "");
      if (!ImpairmentFromJson(entry.value("impairment", nlohmann::json::object()), &c.impairment)
               .ok()) {
        continue;
      }
      rec.link_changes.push_back(std::move(c));
      continue;
    }
    if (line == "set-link-done" || line == "set-link-failed") {
      if (!rec.link_changes.empty()) {
        rec.link_changes.back().state =
            line == "set-link-done" ? LinkChange::State::kDone : LinkChange::State::kFailed;
      }
      continue;
    }
    const bool before = line.rfind("before ", 0) == 0;
    if (!before && line.rfind("done ", 0) != 0) continue;  // a torn last line is ignored
    const size_t skip = before ? 7 : 5;
    size_t sp = line.find(' ', skip);
    char* end = nullptr;
    unsigned long idx = std::strtoul(line.c_str() + skip, &end, 10);
    if (end == line.c_str() + skip || idx >= rec.done.size()) continue;
    if (!before) rec.done[idx] = true;
    if (sp != std::string::npos) {
      nlohmann::json note = nlohmann::json::parse(line.substr(sp + 1), nullptr, false);
      if (note.is_string()) rec.notes[idx] = note.get<std::string>();
    }
  }
  if (!rec.complete) {
    for (size_t i = 0; i < rec.done.size(); ++i) {
      if (!rec.done[i]) {
        rec.maybe_in_progress = i;
        break;
      }
    }
  }
  *out = std::move(rec);
  return Status::OK();
}

Status StateStore::OpenJournal(const std::string& lab, Journal* journal) const {
  if (!LabExists(lab)) return Status::NotFound("lab '" + lab + "' is not up");
  const std::string path = LabDir(lab) + "/journal";
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + path, errno);
  *journal = Journal(fd);
  return Status::OK();
}

Status StateStore::ReadLabForTeardown(const std::string& lab, LabRecord* out) const {
  if (!IsSafeLabName(lab)) return Status::InvalidArgument("'" + lab + "' is not a lab name");
  std::string dir = LabDir(lab);
  std::string journal, names;
  // Only a complete journal whose header promises it; anything else the long way.
  if (!ReadFileNoFollow(dir + "/journal", &journal).ok() || journal.rfind("plan ", 0) != 0 ||
      journal.size() < 10 || journal.compare(journal.size() - 9, 9, "complete\n") != 0 ||
      !ReadFileNoFollow(dir + "/namespaces", &names).ok()) {
    return ReadLab(lab, out);
  }
  std::string header = journal.substr(0, journal.find('\n'));
  char* end = nullptr;
  unsigned long actions = std::strtoul(header.c_str() + 5, &end, 10);
  if (std::string(end) != " namespaces-only") return ReadLab(lab, out);
  LabRecord rec;
  rec.plan.lab = lab;
  std::istringstream in(names);
  for (std::string ns; std::getline(in, ns);) {
    if (ns.empty()) continue;
    rec.plan.namespaces.push_back(ns);
    Action a;
    a.kind = ActionKind::kCreateNamespace;
    a.ns = a.node = ns;
    rec.plan.actions.push_back(std::move(a));
  }
  if (actions < rec.plan.actions.size()) return ReadLab(lab, out);
  rec.done.assign(rec.plan.actions.size(), true);
  rec.complete = true;
  rec.omitted = actions - rec.plan.actions.size();
  *out = std::move(rec);
  return Status::OK();
}

static bool IsPlainFileName(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;
  for (char c : name) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return name != "plan.json" && name != "journal" && name != "namespaces";
}

Status StateStore::WriteLabFile(const std::string& lab, const std::string& name,
                                const std::string& data) {
  if (!IsSafeLabName(lab) || !IsPlainFileName(name)) {
    return Status::InvalidArgument("'" + lab + "/" + name + "' is not a lab file");
  }
  if (!LabExists(lab)) return Status::NotFound("lab '" + lab + "' is not up");
  return WriteFileAtomic(LabDir(lab) + "/" + name, data);
}

Status StateStore::ReadLabFile(const std::string& lab, const std::string& name,
                               std::string* out) const {
  if (!IsSafeLabName(lab) || !IsPlainFileName(name)) {
    return Status::InvalidArgument("'" + lab + "/" + name + "' is not a lab file");
  }
  return ReadFileNoFollow(LabDir(lab) + "/" + name, out);
}

Status StateStore::RemoveLab(const std::string& lab) {
  if (!IsSafeLabName(lab)) return Status::InvalidArgument("'" + lab + "' is not a lab name");
  return RemoveTree(LabDir(lab));
}

}  // namespace topo
