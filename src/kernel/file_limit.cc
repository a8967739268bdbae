#include "kernel/file_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <string>

namespace topo {
namespace {

bool g_saved = false;
rlimit g_original{};  // the limits topo started with (valid once g_saved)
rlim_t g_soft = 0;    // the soft limit as last seen or set (0: not read yet)

rlim_t KernelCeiling() {
  std::ifstream in("/proc/sys/fs/nr_open");
  unsigned long long v = 0;
  return (in >> v) && v > 0 ? static_cast<rlim_t>(v) : static_cast<rlim_t>(1) << 20;
}

}  // namespace

Status EnsureOpenFiles(size_t descriptors) {
  const auto want = static_cast<rlim_t>(descriptors);
  if (g_soft >= want) return Status::OK();
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return Status::FromErrno("getrlimit", errno);
  g_soft = lim.rlim_cur;
  if (lim.rlim_cur >= want) return Status::OK();
  if (!g_saved) g_original = lim, g_saved = true;
  if (lim.rlim_max >= want) {
    lim.rlim_cur = lim.rlim_max;
  } else {
    const rlim_t ceiling = KernelCeiling();
    if (want > ceiling) {
      return Status::IOError(
          "the lab needs " + std::to_string(descriptors) +
              " open files, more than the kernel allows a process (fs.nr_open = " +
              std::to_string(ceiling) + ")",
          EMFILE);
    }
    lim.rlim_cur = lim.rlim_max = std::max(want * 2, static_cast<rlim_t>(65536));
    lim.rlim_cur = lim.rlim_max = std::min(lim.rlim_max, ceiling);
  }
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
    return Status::IOError(
        "the lab needs " + std::to_string(descriptors) +
            " open files; this process may have at most " + std::to_string(g_original.rlim_max) +
            " (`ulimit -Hn`) and cannot raise that: raise it, or run topo as root",
        EMFILE);
  }
  g_soft = lim.rlim_cur;
  return Status::OK();
}

void RestoreOpenFileLimitForExec() {
  if (g_saved) setrlimit(RLIMIT_NOFILE, &g_original);
}

}  // namespace topo
