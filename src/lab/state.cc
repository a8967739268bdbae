#include "lab/state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "kernel/netns.h"
#include "lab/namespaces_only.h"
#include "model/diagnostic.h"

namespace topo {

namespace {
Status EnsurePrivateDir(const std::string& path, bool tighten = true);
}  // namespace

Status EnsurePrivateDirectory(const std::string& path) {
  return EnsurePrivateDir(path, /*tighten=*/false);
}

Status WriteFileAtomic(const std::string& path, const std::string& data) {
  return WriteFileAtomic(path,
                         [&](const std::function<void(std::string_view)>& sink) { sink(data); });
}

Status WriteFileAtomic(const std::string& path, const FileProducer& produce) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::FromErrno("create " + tmp, errno);
  Status s;
  std::string buffer;  // written out in pieces of about 64 KiB
  auto flush = [&] {
    if (s.ok() && !buffer.empty()) s = WriteAll(fd, buffer, tmp);
    buffer.clear();
  };
  produce([&](std::string_view piece) {
    buffer.append(piece);
    if (buffer.size() >= 65536) flush();
  });
  flush();
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

// Removes everything under the directory fd `dir` (which it closes), depth
// first, never following a symlink: a symlink is removed, not its target.
// The entries named in `last` are left, for the caller to remove after.
void RemoveContents(int dir, const std::vector<std::string>& last = {}) {
  DIR* d = ::fdopendir(dir);
  if (!d) {
    ::close(dir);
    return;
  }
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (std::find(last.begin(), last.end(), name) != last.end()) continue;
    if (::unlinkat(dir, name.c_str(), 0) == 0) continue;
    if (errno != EISDIR && errno != EPERM) continue;
    int sub = ::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0) continue;
    RemoveContents(sub);
    ::unlinkat(dir, name.c_str(), AT_REMOVEDIR);
  }
  ::closedir(d);
}

// Removes a directory and everything in it; the files named in `last` go
// last, in that order. A symlink in its place is removed itself, never
// followed: the files it points at stay.
Status RemoveTree(const std::string& path, const std::vector<std::string>& last = {}) {
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
  if (!last.empty()) {
    const int keep = ::dup(fd);
    RemoveContents(fd, last);
    if (keep >= 0) {
      for (const std::string& name : last) ::unlinkat(keep, name.c_str(), 0);
      ::close(keep);
    }
  } else {
    RemoveContents(fd);
  }
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno("remove " + path, errno);
  }
  return Status::OK();
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

void Journal::NamespaceMade(const std::string& ns, const std::string& id) {
  pending_ += "netns " + ns + " " + id + "\n";
}

void Journal::RootLinkMade(const std::string& ifname, int index) {
  pending_ += "root-link " + ifname + " " + std::to_string(index) + "\n";
}

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

Status Journal::ChildStarted(const ProcessIdentity& child) {
  pending_ += "child " + child.ToString() + "\n";
  return Flush();
}

void Journal::ChildReaped(const ProcessIdentity& child) {
  pending_ += "child-reaped " + child.ToString() + "\n";
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
      out[a.ns + ":" + a.ifname] = a.impairment();
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
    // '@': a machine's part of a lab across machines, LAB@MACHINE.
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '@')) {
      return false;
    }
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

Status LockFile(const std::string& path, bool must_stay, int* fd_out, bool interruptible) {
  for (;;) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return Status::FromErrno("open " + path, errno);
    int rc;
    while ((rc = ::flock(fd, LOCK_EX)) != 0 && errno == EINTR && !interruptible) {
    }
    if (rc != 0) {
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

Status StateStore::Lock(bool interruptible) {
  if (lock_fd_ >= 0) return Status::OK();
  return LockFile(dir_ + "/lock", /*must_stay=*/false, &lock_fd_, interruptible);
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
  for (const char* file : {"/plan.json", "/journal"}) {
    if (::lstat((LabDir(lab) + file).c_str(), &st) == 0 && S_ISREG(st.st_mode)) return true;
  }
  return false;
}

std::vector<std::string> StateStore::NamedNamespaces(const std::string& lab) const {
  std::vector<std::string> out;
  std::string text;
  if (!IsSafeLabName(lab) || !ReadFileNoFollow(LabDir(lab) + "/namespaces", &text).ok()) return out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (IsSafeLabName(line)) out.push_back(line);
  }
  return out;
}

std::map<std::string, std::string> StateStore::NamespaceOwners(const std::string& except) const {
  std::map<std::string, std::string> owners;
  for (const std::string& lab : ListLabs()) {
    if (lab == except) continue;
    std::string text;
    if (!ReadFileNoFollow(LabDir(lab) + "/namespaces", &text).ok()) continue;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (IsSafeLabName(line)) owners.emplace(line, lab);
    }
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
  if (s.ok()) {
    s = WriteFileAtomic(dir + "/plan.json", [&](const std::function<void(std::string_view)>& sink) {
      WritePlanJson(plan, sink);
    });
  }
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

namespace {

// What is wrong with a plan read back from plan.json, or "": every namespace
// it names must be one topo could have made (no '/', no "..").
std::string PlanDamage(const Plan& plan, const std::string& lab) {
  if (plan.lab != lab) return "plan.json is of another lab ('" + EscapeForTerminal(plan.lab) + "')";
  for (const std::string& ns : plan.namespaces) {
    if (!StateStore::IsSafeLabName(ns)) {
      return "plan.json names a namespace '" + EscapeForTerminal(ns) + "' topo cannot have made";
    }
  }
  for (const Action& a : plan.actions) {
    for (const std::string* ns : {&a.ns, &a.peer_ns()}) {
      if (!ns->empty() && !StateStore::IsSafeLabName(*ns)) {
        return "plan.json names a namespace '" + EscapeForTerminal(*ns) + "' topo cannot have made";
      }
    }
    if (a.kind == ActionKind::kWriteEtcFile && !StateStore::IsSafeLabName(a.key())) {
      return "plan.json names a file '" + EscapeForTerminal(a.key()) + "' topo cannot have made";
    }
  }
  return "";
}

// Reads plan.json into *plan. NotFound when it is missing; IOError when it
// cannot be read safely (a symlink); *damage set when it is there but not a
// plan of this lab.
Status ReadPlanFile(const std::string& dir, const std::string& lab, Plan* plan,
                    std::string* damage) {
  const std::string path = dir + "/plan.json";
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + path, errno);
  std::FILE* in = ::fdopen(fd, "r");
  if (!in) {
    const int e = errno;
    ::close(fd);
    return Status::FromErrno("open " + path, e);
  }
  // Read as a stream, an action at a time (plan/plan.h): star 10000's plan
  // as one JSON tree was most of what `status` and `down` held.
  Status p = ReadPlanJson(in, plan);
  std::fclose(in);
  *damage = p.ok() ? PlanDamage(*plan, lab)
                   : "plan.json is not a plan: " + EscapeForTerminal(p.message());
  return Status::OK();
}

bool ParseIndex(const std::string& text, size_t actions, size_t* index) {
  if (text.empty() || text.size() > 19 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  *index = std::stoull(text);
  return *index < actions;
}

bool IsIdentity(const std::string& id) {
  const size_t colon = id.find(':');
  auto digits = [](const std::string& t) {
    return !t.empty() && t.size() <= 20 &&
           std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return colon != std::string::npos && digits(id.substr(0, colon)) && digits(id.substr(colon + 1));
}

bool IsInterfaceName(const std::string& name) {
  return !name.empty() && name.size() <= 15 && name[0] != '-' && name != "." && name != ".." &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
         });
}

// One line of the journal (not the header) into *rec (and the lines of a
// namespaces-only header into *outside, when given); "" or what is wrong with it.
std::string ParseJournalLine(const std::string& line, size_t actions, LabRecord* rec,
                             OutsideActions* outside) {
  if (line == "complete") {
    rec->complete = true;
    return "";
  }
  if (line == "set-link-done" || line == "set-link-failed") {
    if (rec->link_changes.empty()) return "a set-link outcome without a set-link";
    rec->link_changes.back().state =
        line == "set-link-done" ? LinkChange::State::kDone : LinkChange::State::kFailed;
    return "";
  }
  const size_t sp = line.find(' ');
  const std::string kind = line.substr(0, sp);
  const std::string rest = sp == std::string::npos ? "" : line.substr(sp + 1);
  if (kind == "set-link") {
    nlohmann::json entry = nlohmann::json::parse(rest, nullptr, false);
    if (entry.is_discarded() || !entry.is_object()) return "a set-link that is not a JSON object";
    LinkChange c;
    for (auto [key, field] :
         {std::pair{"ns", &c.ns}, std::pair{"node", &c.node}, std::pair{"ifname", &c.ifname}}) {
      auto it = entry.find(key);
      if (it == entry.end() || !it->is_string()) {
        return std::string("a set-link whose \"") + key + "\" is not a string";
      }
      *field = it->get<std::string>();
    }
    if (!c.ns.empty() && !StateStore::IsSafeLabName(c.ns)) return "a set-link of a bad namespace";
    if (!IsInterfaceName(c.ifname)) return "a set-link of a bad interface name";
    auto imp = entry.find("impairment");
    if (imp == entry.end()) return "a set-link without an impairment";
    if (Status s = ImpairmentFromJson(*imp, &c.impairment); !s.ok()) {
      return "a set-link with a bad impairment (" + s.message() + ")";
    }
    rec->link_changes.push_back(std::move(c));
    return "";
  }
  if (IsOutsideLine(kind)) return ParseOutsideLine(kind, rest, actions, outside);
  if (kind == "child" || kind == "child-reaped") {
    ProcessIdentity child;
    if (!ProcessIdentity::Parse(rest, &child)) return "a bad child identity";
    if (kind == "child") {
      rec->children.push_back(child);
    } else {
      std::erase(rec->children, child);
    }
    return "";
  }
  if (kind == "netns") {
    const size_t sp2 = rest.find(' ');
    const std::string ns = rest.substr(0, sp2);
    const std::string id = sp2 == std::string::npos ? "" : rest.substr(sp2 + 1);
    if (!StateStore::IsSafeLabName(ns) || !IsIdentity(id)) return "a bad namespace identity";
    rec->namespace_ids[ns] = id;
    return "";
  }
  if (kind == "root-link") {
    const size_t sp2 = rest.find(' ');
    const std::string ifname = rest.substr(0, sp2);
    const std::string index = sp2 == std::string::npos ? "" : rest.substr(sp2 + 1);
    size_t value = 0;
    if (!IsInterfaceName(ifname) || !ParseIndex(index, INT32_MAX, &value) || value == 0) {
      return "a bad interface identity";
    }
    rec->root_links[ifname] = static_cast<int>(value);
    return "";
  }
  if (kind != "done" && kind != "before") return "not a journal line";
  const size_t sp2 = rest.find(' ');
  size_t index = 0;
  if (!ParseIndex(rest.substr(0, sp2), actions, &index)) {
    return "an action number that is not one of the plan's " + std::to_string(actions);
  }
  if (sp2 == std::string::npos) {
    if (kind == "before") return "a before line without a note";
  } else {
    nlohmann::json note = nlohmann::json::parse(rest.substr(sp2 + 1), nullptr, false);
    if (!note.is_string()) return "a note that is not a JSON string";
    rec->notes[index] = note.get<std::string>();
  }
  if (kind == "done") rec->done[index] = true;
  return "";
}

// Reads a journal's text for a plan of `actions` actions (its header must say
// so) into *rec. Returns what is wrong with it ("" when it is sound). A last
// line without its newline is one an append did not finish: not damage.
// Lines that are wrong are skipped; the rest is read. With `outside`, the
// lines a namespaces-only header lists (lab/namespaces_only.h) go there.
std::string ParseJournal(const std::string& text, size_t actions, LabRecord* rec,
                         OutsideActions* outside = nullptr) {
  rec->done.assign(actions, false);
  if (text.empty()) return "the journal is empty";
  std::string damage;
  size_t pos = 0;
  for (size_t number = 1; pos < text.size(); ++number) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {
      if (number == 1) return "the journal has no whole line";
      rec->torn = true;  // never finished
      break;
    }
    const std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    std::string wrong;
    if (number == 1) {
      const std::string want = "plan " + std::to_string(actions);
      if (line != want && line != want + " namespaces-only") {
        wrong = line.rfind("plan ", 0) == 0 ? "the journal's header is not of this plan of " +
                                                  std::to_string(actions) + " actions"
                                            : "the journal has no header";
      }
    } else {
      try {
        wrong = ParseJournalLine(line, actions, rec, outside);
      } catch (const std::exception& e) {  // a safety net: the parser checks types first
        wrong = std::string("unreadable (") + e.what() + ")";
      }
    }
    if (!wrong.empty() && damage.empty()) {
      damage = "journal line " + std::to_string(number) + ": " + wrong;
      if (number == 1) return damage;  // another plan's journal says nothing of this one
    }
  }
  if (!rec->complete) {
    for (size_t i = 0; i < rec->done.size(); ++i) {
      if (!rec->done[i]) {
        rec->maybe_in_progress = i;
        break;
      }
    }
  }
  return damage;
}

}  // namespace

Status StateStore::ReadLab(const std::string& lab, LabRecord* out) const {
  if (!IsSafeLabName(lab)) return Status::InvalidArgument("'" + lab + "' is not a lab name");
  std::string dir = LabDir(lab);
  struct stat st;
  if (::lstat(dir.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
    return Status::IOError(dir + " is not a directory; refusing to follow it");
  }
  if (!LabExists(lab)) return Status::NotFound("lab '" + lab + "' is not up");
  auto damaged = [&](const std::string& what) {
    return Status::IOError("the record of lab '" + lab + "' is damaged: " + what + " (in " + dir +
                           "); `topo down " + lab + "` removes what it names");
  };
  LabRecord rec;
  std::string damage;
  Status s = ReadPlanFile(dir, lab, &rec.plan, &damage);
  if (s.IsNotFound()) return damaged("plan.json is missing");
  if (!s.ok()) return s;
  if (!damage.empty()) return damaged(damage);
  std::string text;
  s = ReadFileNoFollow(dir + "/journal", &text);
  if (s.IsNotFound()) return damaged("the journal is missing");
  if (!s.ok()) return s;
  damage = ParseJournal(text, rec.plan.actions.size(), &rec);
  if (!damage.empty()) return damaged(damage);
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

namespace {

// What the lab made, as far as its namespace names alone say: each namespace
// and the files topo writes for it under /etc/netns.
Plan NamespacesOnlyPlan(const std::string& lab, const std::vector<std::string>& names) {
  Plan plan;
  plan.lab = lab;
  std::set<std::string> seen;
  for (const std::string& ns : names) {
    if (!seen.insert(ns).second) continue;
    plan.namespaces.push_back(ns);
    Action a;
    a.kind = ActionKind::kCreateNamespace;
    a.ns = a.node = ns;
    plan.actions.push_back(a);
  }
  for (const std::string& ns : plan.namespaces) {
    for (const char* file : {"hosts", "resolv.conf"}) {
      Action a;
      a.kind = ActionKind::kWriteEtcFile;
      a.ns = a.node = ns;
      a.set_key(file);
      plan.actions.push_back(std::move(a));
    }
  }
  return plan;
}

// The action count a journal's header gives, or 0.
size_t HeaderActions(const std::string& journal) {
  if (journal.rfind("plan ", 0) != 0) return 0;
  const std::string header = journal.substr(5, journal.find_first_of(" \n", 5) - 5);
  size_t n = 0;
  return ParseIndex(header, SIZE_MAX, &n) ? n : 0;
}

}  // namespace

Status StateStore::ReadLabForTeardown(const std::string& lab, LabRecord* out,
                                      const Plan* fallback) const {
  if (!IsSafeLabName(lab)) return Status::InvalidArgument("'" + lab + "' is not a lab name");
  std::string dir = LabDir(lab);
  struct stat st;
  if (::lstat(dir.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
    return Status::IOError(dir + " is not a directory; refusing to follow it");
  }
  if (!LabExists(lab)) {
    // What an `up` killed while registering leaves (no plan.json, no journal:
    // the kernel was not touched), or a record stripped of both: only the
    // namespaces file says anything, and Down decides which by the kernel.
    std::vector<std::string> named = NamedNamespaces(lab);
    if (named.empty()) return Status::NotFound("lab '" + lab + "' is not up");
    LabRecord rec;
    rec.plan = NamespacesOnlyPlan(lab, named);
    rec.plan_known = false;
    rec.registering = true;
    rec.damage.emplace_back("plan.json and the journal are missing");
    rec.done.assign(rec.plan.actions.size(), true);
    *out = std::move(rec);
    return Status::OK();
  }
  std::string journal, names;
  Status js = ReadFileNoFollow(dir + "/journal", &journal);
  if (!js.ok() && !js.IsNotFound()) return js;
  // The shortcut: only a complete journal whose header promises it. It
  // needs no plan.json, but one that is not a plain file (a symlink to a
  // plan written elsewhere) is tampering, which the full read refuses; a
  // missing one is said, though nothing is lost with it.
  struct stat plan_st;
  const bool plan_missing = ::lstat((dir + "/plan.json").c_str(), &plan_st) != 0;
  const bool plan_unsafe = !plan_missing && !S_ISREG(plan_st.st_mode);
  if (js.ok() && !plan_unsafe && journal.size() >= 10 &&
      journal.compare(journal.size() - 9, 9, "complete\n") == 0 &&
      journal.substr(0, journal.find('\n')).ends_with(" namespaces-only") &&
      ReadFileNoFollow(dir + "/namespaces", &names).ok()) {
    const size_t actions = HeaderActions(journal);
    std::vector<std::string> listed;
    std::istringstream in(names);
    bool sound = true;
    for (std::string ns; std::getline(in, ns);) {
      if (ns.empty()) continue;
      sound = sound && IsSafeLabName(ns);
      listed.push_back(ns);
    }
    LabRecord parsed, rec;
    OutsideActions outside;
    rec.plan.lab = lab;
    if (sound && ParseJournal(journal, actions, &parsed, &outside).empty() && parsed.complete &&
        NamespacesOnlyTeardownPlan(listed, outside, parsed.notes, actions, &rec.plan, &rec.notes)) {
      rec.done.assign(rec.plan.actions.size(), true);
      rec.complete = true;
      rec.omitted = actions - rec.plan.actions.size();
      rec.namespace_ids = std::move(parsed.namespace_ids);
      rec.root_links = std::move(parsed.root_links);
      rec.children = std::move(parsed.children);
      if (plan_missing) {
        rec.damage.emplace_back("plan.json is missing (the journal names all the lab made)");
      }
      *out = std::move(rec);
      return Status::OK();
    }
  }
  LabRecord rec;
  std::string damage;
  Status ps = ReadPlanFile(dir, lab, &rec.plan, &damage);
  if (!ps.ok() && !ps.IsNotFound()) return ps;
  if (ps.IsNotFound()) damage = "plan.json is missing";
  if (!damage.empty()) {
    rec.damage.push_back(damage);
    const std::vector<std::string> named = NamedNamespaces(lab);
    std::vector<std::string> want = fallback ? fallback->namespaces : std::vector<std::string>{};
    std::vector<std::string> have = named;
    std::sort(want.begin(), want.end());
    std::sort(have.begin(), have.end());
    if (fallback && fallback->lab == lab && (named.empty() || want == have) &&
        PlanDamage(*fallback, lab).empty()) {
      rec.plan = *fallback;
      rec.damage.emplace_back("the plan was compiled again from the topology file given");
    } else {
      // The names that survive: the namespaces file, and the identities the journal holds.
      LabRecord scratch;
      if (js.ok()) ParseJournal(journal, HeaderActions(journal), &scratch);
      std::vector<std::string> all = named;
      for (const auto& [ns, id] : scratch.namespace_ids) all.push_back(ns);
      rec.plan = NamespacesOnlyPlan(lab, all);
      rec.plan_known = false;
    }
  }
  const size_t actions = rec.plan.actions.size();
  if (!js.ok()) {
    rec.damage.emplace_back("the journal is missing");
  } else if (rec.plan_known) {
    std::string wrong = ParseJournal(journal, actions, &rec);
    if (!wrong.empty()) rec.damage.push_back(wrong);
  } else {
    LabRecord scratch;
    std::string wrong = ParseJournal(journal, HeaderActions(journal), &scratch);
    if (!wrong.empty()) rec.damage.push_back(wrong);
    rec.namespace_ids = std::move(scratch.namespace_ids);
    rec.root_links = std::move(scratch.root_links);
    rec.children = std::move(scratch.children);
  }
  if (!rec.damage.empty()) {
    // Nothing says what was done: all of it may have been.
    rec.done.assign(actions, true);
    rec.complete = false;
    rec.maybe_in_progress.reset();
  }
  *out = std::move(rec);
  return Status::OK();
}

static bool IsPlainFileName(const std::string& name) {
  if (name.empty() || name[0] == '.') return false;
  for (char c : name) {
    // '@': a machine's part of a lab across machines, LAB@MACHINE.
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '@')) {
      return false;
    }
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
  // The record's own files go last, the journal the very last: a `down`
  // killed meanwhile leaves a record that still names what is left (the
  // nodes' files, the lab's log), so the next one finds and removes it.
  return RemoveTree(LabDir(lab), {"plan.json", "namespaces", "journal"});
}

}  // namespace topo
