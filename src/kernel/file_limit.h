// The open-file limit (RLIMIT_NOFILE) of a topo process. NetlinkBackend holds
// two descriptors per namespace it has touched (the namespace and a netlink
// socket in it), so a lab of N namespaces needs a little over 2N: star 10000
// needs more than the 20000 some machines give even root.
//
// EnsureOpenFiles(n) makes room for n descriptors: it raises the soft limit
// (to the hard limit at once, so it is raised rarely), and when even the hard
// limit is too low it raises both, up to the kernel's ceiling (fs.nr_open;
// allowed for root, CAP_SYS_RESOURCE). When that is refused it returns
// an IOError (EMFILE) naming the limit, so the caller fails before the kernel's
// bare "Too many open files". The first raise keeps the limits topo started
// with; RestoreOpenFileLimitForExec puts them back in a child between fork()
// and exec() (async-signal-safe), so the programs topo starts see the limits
// of the shell that started topo. Not thread-safe: call EnsureOpenFiles from
// one thread.
#pragma once

#include <cstddef>

#include "model/status.h"

namespace topo {

Status EnsureOpenFiles(size_t descriptors);
void RestoreOpenFileLimitForExec();

}  // namespace topo
