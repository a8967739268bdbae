// Processes that live in a lab's network namespaces, found by namespace
// identity and ended. A process belongs to a namespace when /proc/PID/ns/net
// is the same nsfs object (st_dev and st_ino) as the namespace's name file
// (/run/netns/NAME): never by process name, never by pattern. Whatever runs
// there (started by `topo exec`, `ip netns exec`, a double-forked daemon)
// keeps the namespace alive after its name is removed, so teardown ends such
// processes first.
//
// Ending is SIGTERM, a grace period, then SIGKILL, through pidfds so that a
// recycled pid is never signalled; it waits until every process has exited
// (an exited process no longer holds its namespace). One /proc scan covers
// every namespace given; it is repeated only when the previous one found
// something (children forked meanwhile). The calling process is never
// signalled. Nothing here prints or exits.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "model/status.h"

namespace topo {

// The identity of a namespace: its nsfs device and inode.
struct NsIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const NsIdentity&) const = default;
};

// The identity of the namespace mounted (or linked) at `path`. NotFound when
// there is no such file.
Status NamespaceIdentity(const std::string& path, NsIdentity* out);

// The pids (other than the caller's) whose network namespace is one of `ids`,
// from one scan of /proc.
std::vector<pid_t> ProcessesInNamespaces(const std::vector<NsIdentity>& ids);

struct EndProcessesOptions {
  std::chrono::milliseconds grace{2000};      // after SIGTERM, before SIGKILL
  std::chrono::milliseconds kill_wait{5000};  // after SIGKILL, for the exit
};

// Ends every process (but the caller) in the namespaces named `names` under
// `netns_dir`; names that do not exist are skipped. *ended (if given) gets how
// many processes were ended. Fails only when a process outlived SIGKILL's wait
// or could not be signalled.
Status EndProcessesInNamespaces(const std::vector<std::string>& names, const std::string& netns_dir,
                                size_t* ended, const EndProcessesOptions& options = {});

}  // namespace topo
