// Starting a program in a node, so that its identity is known before it runs,
// and ending it again only if it is still the same process.
//
// LaunchProgram forks a short-lived child that starts a session (setsid),
// enters the node's view (node_view.h) and forks the monitor, then exits. The
// monitor forks the program and tells topo its pid, waits for it, writes how
// it ended to the status file ("exited N" or "signal N") and exits. The
// program first blocks on a pipe: only when topo calls ReleaseProgram (once it
// has journaled the identity) does it switch to its user (setgroups, setgid,
// setuid), working directory and environment, take /dev/null as stdin and the
// log (appended to) as stdout and stderr, reset its signals and execvp argv. If
// topo dies before that, the pipe closes and the program exits without
// running. No descriptor of topo's (the store's lock, netlink sockets) reaches
// the monitor or the program.
//
// A process is identified by its pid and its start time (field 22 of
// /proc/PID/stat, in clock ticks since boot): a recycled pid has another start
// time. Nothing here prints or exits.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernel/node_view.h"
#include "model/status.h"

namespace topo {

struct ProcessIdentity {
  pid_t pid = 0;
  uint64_t start_time = 0;

  // "PID START" and back; Parse fails on anything else.
  std::string ToString() const;
  static bool Parse(const std::string& text, ProcessIdentity* out);
  bool operator==(const ProcessIdentity&) const = default;
};

// The start time of `pid` from /proc/PID/stat; NotFound when it is gone.
Status ProcessStartTime(pid_t pid, uint64_t* start_time);
// Whether the process `id` still runs (a zombie counts as gone).
bool ProcessAlive(const ProcessIdentity& id);

// Field 22 (starttime) of a /proc/PID/stat line; false when it is malformed.
// The command name (field 2) may hold spaces and parentheses.
bool ParseStatStartTime(const std::string& stat, uint64_t* start_time, char* state = nullptr);

// A user resolved before the fork (getpwnam and getgrouplist are not for a child).
struct ResolvedUser {
  bool set = false;  // false: run as topo's user
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string name, home;
};
// A user name or a numeric uid: "frr", "1000". InvalidArgument "no user 'x' on this machine".
Status ResolveUser(const std::string& user, ResolvedUser* out);

struct ProgramLaunch {
  NodeView view;
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "NAME=value", the whole environment
  std::string cwd = "/";
  ResolvedUser user;
  std::string log_path;     // appended to (created 0640)
  std::string status_path;  // written by the monitor when the program ends
  int base_mnt_fd = -1;     // a ViewBase's (node_view.h), or -1
};

// A launched program, held before exec until ReleaseProgram.
struct LaunchedProgram {
  ProcessIdentity id;
  ProcessIdentity monitor;  // the process that waits for it (pid 0 if it could not be read)
  int go_fd = -1;           // the pipe that releases it; closed by ReleaseProgram
};

Status LaunchProgram(const ProgramLaunch& launch, LaunchedProgram* out);
// Lets the program run; closes the pipe.
Status ReleaseProgram(LaunchedProgram* program);
// Drops it: it exits without running (closing the pipe).
void AbandonProgram(LaunchedProgram* program);

// Runs argv in `view` as `user` with `env`, output discarded, and waits at
// most timeout_ms for it; true when it exited 0. For readiness commands.
bool RunCheckCommand(const NodeView& view, const std::vector<std::string>& argv,
                     const std::vector<std::string>& env, const ResolvedUser& user, int timeout_ms);

// Ends the process `id` if it is still the same one: SIGTERM, at most
// timeout_ms for it to exit, then SIGKILL and a wait. OK when it is gone
// (or was already); Busy when it outlived SIGKILL's wait.
Status StopProcess(const ProcessIdentity& id, int timeout_ms);
// StopProcess for many processes at once: SIGTERM to each in the order given,
// then each gets its own timeout (from the same start), then SIGKILL. Returns
// one status per process.
// With first_signal 0 it only waits, then SIGKILLs what is left.
std::vector<Status> StopProcesses(const std::vector<ProcessIdentity>& ids,
                                  const std::vector<int>& timeouts_ms, int first_signal = 15);
// Waits at most timeout_ms for the process `id` (if it is still that one) to exit.
Status WaitForExit(const ProcessIdentity& id, int timeout_ms);

}  // namespace topo
