// What sandbox.cc and holder.cc share, not part of the sandbox's interface.
#pragma once

#include <sys/types.h>

#include <string>

namespace topo::sandbox {

// "cannot make a rootless sandbox (DETAIL): WHY AND THE FIX", where the
// reason comes from the machine's settings (user namespaces disabled,
// AppArmor, a container) or from `err`. The settings are read under
// `proc_sys` (tests point it at a directory of their own).
std::string ExplainRefusal(const std::string& detail, int err,
                           const std::string& proc_sys = "/proc/sys");

// Whether `pid` is a live process (not a zombie) of this user whose start
// time (field 22 of /proc/PID/stat) is `start`: the holder a holder.pid
// file names, and not a process that reused its pid.
bool IsLiveHolder(pid_t pid, unsigned long long start);
// The start time of `pid` (false when it does not exist).
bool ProcessStartTime(pid_t pid, unsigned long long* start);

}  // namespace topo::sandbox
