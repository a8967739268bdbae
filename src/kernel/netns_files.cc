#include "kernel/netns_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <unordered_map>
#include <vector>

#include "kernel/netns.h"

namespace topo {

namespace {

// Names become single path components.
bool IsComponent(const std::string& s) {
  return !s.empty() && s != "." && s != ".." && s.find('/') == std::string::npos;
}

// Opens (and with `create`, first makes, mode 0755) the directory `name` in
// `parent`, refusing a symlink. *made tells whether this call created it.
Status OpenDir(int parent, const std::string& name, const std::string& path, bool create,
               bool* made, UniqueFd* out) {
  *made = false;
  if (create) {
    if (::mkdirat(parent, name.c_str(), 0755) == 0) {
      *made = true;
    } else if (errno != EEXIST) {
      return Status::FromErrno("create " + path, errno);
    }
  }
  int fd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ELOOP || e == ENOTDIR)
      return Status::IOError(path + " is not a directory (or is a symlink)");
    return Status::FromErrno(path, e);
  }
  out->Reset(fd);
  if (*made) ::fchmod(fd, 0755);  // whatever the umask
  return Status::OK();
}

// Splits "/etc/netns" into "/etc" and "netns".
void SplitPath(const std::string& path, std::string* parent, std::string* base) {
  size_t slash = path.find_last_of('/');
  *parent = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  *base = slash == std::string::npos ? path : path.substr(slash + 1);
}

// The temporary files WriteNew makes for `name`: ".NAME.topo-PID-N".
std::string TemporaryPrefix(const std::string& name) { return "." + name + ".topo-"; }

// Removes the temporary files for any of `names` in `dir` that a write which
// will never finish left (topo killed between creating one and linking it):
// with `only_dead`, those whose process is gone, else all of them. *others
// (optional) tells whether anything else is in `dir`. Returns how many went.
size_t RemoveTemporaries(int dir, const std::vector<std::string>& names, bool only_dead,
                         bool* others) {
  if (others) *others = false;
  const int fd = ::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return 0;
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return 0;
  }
  std::vector<std::string> prefixes;
  prefixes.reserve(names.size());
  for (const std::string& name : names) prefixes.push_back(TemporaryPrefix(name));
  std::vector<std::string> stale;
  while (const dirent* e = ::readdir(d)) {
    const std::string entry = e->d_name;
    if (entry == "." || entry == "..") continue;
    auto prefix = std::find_if(prefixes.begin(), prefixes.end(),
                               [&](const std::string& p) { return entry.rfind(p, 0) == 0; });
    bool temporary = prefix != prefixes.end();
    if (temporary && only_dead) {
      const long pid = std::strtol(entry.c_str() + prefix->size(), nullptr, 10);
      temporary = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
    }
    if (temporary) {
      stale.push_back(entry);
    } else if (others) {
      *others = true;
    }
  }
  ::closedir(d);
  size_t removed = 0;
  for (const std::string& entry : stale) removed += ::unlinkat(dir, entry.c_str(), 0) == 0;
  return removed;
}

// Which directories a write says it made: "made:etc,ns", "made:ns", "made:";
// a note that is not one (the write may or may not have happened) counts as
// having made the namespace's directory, never <etc_dir>.
struct Made {
  bool etc = false;
  bool ns = false;
  explicit Made(const std::string& note) {
    const bool unknown = note.rfind("made:", 0) != 0;
    etc = !unknown && note.find("etc") != std::string::npos;
    ns = unknown || note.find("ns") != std::string::npos;
  }
};

// Writes `content` to a new temporary file in `dir` and links it as `name`.
Status WriteNew(int dir, const std::string& name, const std::string& content,
                const std::string& path) {
  static std::atomic<int> counter{0};
  const std::string tmp =
      TemporaryPrefix(name) + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  int fd = ::openat(dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno("create a temporary file for " + path, errno);
  Status s = WriteAll(fd, content, path);
  if (s.ok() && ::fchmod(fd, 0644) != 0) s = Status::FromErrno("chmod " + path, errno);
  ::close(fd);
  if (s.ok() && ::linkat(dir, tmp.c_str(), dir, name.c_str(), 0) != 0) {
    s = errno == EEXIST ? Status::AlreadyExists(path + " already exists", EEXIST)
                        : Status::FromErrno("create " + path, errno);
  }
  ::unlinkat(dir, tmp.c_str(), 0);
  return s;
}

}  // namespace

Status WriteEtcFile(const std::string& ns, const std::string& name, const std::string& content,
                    const std::string& link_from_ns, std::string* note,
                    const std::string& etc_dir) {
  if (!IsComponent(ns) || !IsComponent(name) ||
      (!link_from_ns.empty() && !IsComponent(link_from_ns))) {
    return Status::InvalidArgument("unsafe name for a file under " + etc_dir);
  }
  const std::string path = EtcNetnsPath(ns, name, etc_dir);
  std::string parent_path, base;
  SplitPath(etc_dir, &parent_path, &base);
  UniqueFd parent(::open(parent_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!parent.valid()) return Status::FromErrno(parent_path, errno);
  UniqueFd etc, dir;
  bool made_etc = false, made_ns = false;
  Status s = OpenDir(parent.get(), base, etc_dir, true, &made_etc, &etc);
  if (s.ok()) s = OpenDir(etc.get(), ns, etc_dir + "/" + ns, true, &made_ns, &dir);
  if (s.ok() && !made_ns) {
    // What a write killed halfway left (in a directory it had made, then
    // never removed): the directory is topo's again once they are gone.
    bool others = false;
    if (RemoveTemporaries(dir.get(), {name}, /*only_dead=*/true, &others) > 0 && !others) {
      made_ns = true;
    }
  }
  if (s.ok()) {
    if (link_from_ns.empty()) {
      s = WriteNew(dir.get(), name, content, path);
    } else {
      UniqueFd from;
      bool unused = false;
      const std::string from_path = EtcNetnsPath(link_from_ns, name, etc_dir);
      s = OpenDir(etc.get(), link_from_ns, etc_dir + "/" + link_from_ns, false, &unused, &from);
      struct stat st;
      if (s.ok() && (::fstatat(from.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
                     !S_ISREG(st.st_mode))) {
        s = Status::NotFound(from_path + " is not a regular file");
      }
      if (s.ok() && ::linkat(from.get(), name.c_str(), dir.get(), name.c_str(), 0) != 0) {
        s = errno == EEXIST ? Status::AlreadyExists(path + " already exists", EEXIST)
                            : Status::FromErrno("link " + path, errno);
      }
    }
  }
  if (!s.ok()) {
    if (made_ns) ::unlinkat(etc.get(), ns.c_str(), AT_REMOVEDIR);
    if (made_etc) ::unlinkat(parent.get(), base.c_str(), AT_REMOVEDIR);
    return s;
  }
  *note = std::string("made:") + (made_etc ? "etc," : "") + (made_ns ? "ns" : "");
  return Status::OK();
}

Status RemoveEtcFile(const std::string& ns, const std::string& name, const std::string& note,
                     const std::string& etc_dir) {
  return RemoveEtcFiles({{ns, name, note}}, etc_dir)[0];
}

std::vector<Status> RemoveEtcFiles(const std::vector<EtcFileRemoval>& files,
                                   const std::string& etc_dir) {
  std::vector<Status> out(files.size());
  // The files of each directory, directories in the order they first appear.
  std::vector<std::string> order;
  std::unordered_map<std::string, std::vector<size_t>> of_dir;
  bool made_etc = false;
  for (size_t i = 0; i < files.size(); ++i) {
    const EtcFileRemoval& f = files[i];
    if (!IsComponent(f.ns) || !IsComponent(f.name)) {
      out[i] = Status::InvalidArgument("unsafe name for a file under " + etc_dir);
      continue;
    }
    auto [it, inserted] = of_dir.try_emplace(f.ns);
    if (inserted) order.push_back(f.ns);
    it->second.push_back(i);
    made_etc = made_etc || Made(f.note).etc;
  }
  if (order.empty()) return out;
  std::string parent_path, base;
  SplitPath(etc_dir, &parent_path, &base);
  UniqueFd parent(::open(parent_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  Status opened = parent.valid() ? Status::OK() : Status::FromErrno(parent_path, errno);
  UniqueFd etc;
  bool unused = false;
  if (opened.ok()) opened = OpenDir(parent.get(), base, etc_dir, false, &unused, &etc);
  for (const std::string& ns : order) {
    const std::vector<size_t>& mine = of_dir[ns];
    UniqueFd dir;
    Status s = opened;
    if (s.ok()) s = OpenDir(etc.get(), ns, etc_dir + "/" + ns, false, &unused, &dir);
    if (!s.ok()) {
      for (size_t i : mine) {
        out[i] = s.IsNotFound()
                     ? Status::NotFound(
                           EtcNetnsPath(ns, files[i].name, etc_dir) + " does not exist", ENOENT)
                     : s;
      }
      continue;
    }
    std::vector<std::string> names;
    bool made_ns = false;
    for (size_t i : mine) {
      names.push_back(files[i].name);
      made_ns = made_ns || Made(files[i].note).ns;
      if (::unlinkat(dir.get(), files[i].name.c_str(), 0) == 0) continue;
      const std::string path = EtcNetnsPath(ns, files[i].name, etc_dir);
      out[i] = errno == ENOENT ? Status::NotFound(path + " does not exist", ENOENT)
                               : Status::FromErrno("remove " + path, errno);
    }
    // Directories go only when empty: another file, or another lab's
    // directory, keeps them. A write killed between its temporary file and
    // the link left that file (and so the directory) behind: removal is also
    // its recovery. The directory is read only when it is not empty, or was
    // there before: the usual directory goes without a read.
    if (made_ns && ::unlinkat(etc.get(), ns.c_str(), AT_REMOVEDIR) == 0) continue;
    if (RemoveTemporaries(dir.get(), names, /*only_dead=*/false, nullptr) > 0 && made_ns) {
      ::unlinkat(etc.get(), ns.c_str(), AT_REMOVEDIR);
    }
  }
  etc.Reset();
  if (made_etc && parent.valid()) ::unlinkat(parent.get(), base.c_str(), AT_REMOVEDIR);
  return out;
}

}  // namespace topo
