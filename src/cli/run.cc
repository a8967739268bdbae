// topo run FILE [--prefix P|auto] -- CMD ARGS...: bring the lab up, run CMD in
// the root namespace (fork and exec, no shell) with variables that locate the
// lab (run_env.h), tear the lab down whatever happens, and exit with CMD's
// status (128+N when signal N killed it).
//
// While CMD runs, SIGINT, SIGTERM and SIGHUP are forwarded to it unless the
// terminal sent them (Ctrl-C reaches CMD, in the same process group, by
// itself); topo waits for CMD to end and then tears down.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/common.h"
#include "cli/pcap.h"
#include "kernel/exec.h"
#include "lab/run_env.h"
#include "lab/state.h"

extern char** environ;

namespace topo::cli {
namespace {

// The environment for CMD: ours, with the lab's variables replacing any of the same name.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& lab_env) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    std::string key = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const std::string& l : lab_env) replaced = replaced || l.rfind(key + "=", 0) == 0;
    // Stale TOPO_NS_ variables of an outer lab would mislead.
    if (!replaced && key.rfind("TOPO_NS_", 0) != 0) env.push_back(entry);
  }
  env.insert(env.end(), lab_env.begin(), lab_env.end());
  return env;
}

// Runs argv with env; returns CMD's status (128+N if killed by N), or 127
// after printing why it could not start.
int RunCommand(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  // Signals are taken synchronously with sigwaitinfo(): no race between a
  // signal and waiting for the child.
  sigset_t waited, old_mask;
  sigemptyset(&waited);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&waited, sig);
  sigprocmask(SIG_BLOCK, &waited, &old_mask);

  int report[2];  // the child writes errno here when exec fails
  if (pipe2(report, O_CLOEXEC) != 0) {
    PrintError(std::string("pipe: ") + std::strerror(errno));
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    return 127;
  }
  pid_t pid = fork();
  if (pid == 0) {
    ResetSignalsForExec();  // SIGPIPE is ignored here, the others caught
    ::close(report[0]);
    ::execvpe(args[0], args.data(), envp.data());
    int err = errno;
    ssize_t ignored = ::write(report[1], &err, sizeof(err));
    (void)ignored;
    _exit(127);
  }
  ::close(report[1]);
  if (pid < 0) {
    PrintError(std::string("fork: ") + std::strerror(errno));
    ::close(report[0]);
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    return 127;
  }
  int exec_errno = 0;
  ssize_t n = ::read(report[0], &exec_errno, sizeof(exec_errno));
  ::close(report[0]);
  int status = 0;
  for (;;) {
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    siginfo_t info;
    if (sigwaitinfo(&waited, &info) < 0) continue;
    if (info.si_signo == SIGCHLD) continue;
    // A terminal's signal went to the whole foreground group, CMD included.
    if (info.si_code != SI_KERNEL) ::kill(pid, info.si_signo);
  }
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  if (n == static_cast<ssize_t>(sizeof(exec_errno))) {
    PrintError("cannot run '" + argv[0] + "': " + std::strerror(exec_errno));
    return 127;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

Verb RegisterRun(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "run", "Bring a lab up, run a command with variables locating it, tear the lab down");
  struct Opts {
    std::string file;
    std::optional<std::string> prefix;
    std::vector<std::string> argv;
    std::vector<Prefix> allowed_host_routes;
    PcapFlags pcap;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("file", o->file, "Topology file")->required();
  cmd->add_option("--prefix", o->prefix,
                  "Namespace name prefix (overrides the file's); 'auto' picks a unique one");
  AddAllowHostRouteOption(cmd, &o->allowed_host_routes);
  AddPcapOptions(cmd, &o->pcap);
  cmd->add_option("command", o->argv, "Command and arguments (after --)")->required();
  return {cmd, [o]() -> int {
            if (!o->argv.empty() && o->argv.front() == "--") o->argv.erase(o->argv.begin());
            if (o->argv.empty()) {
              PrintError("no command given: topo run FILE -- CMD ARGS...");
              return kExitInvalid;
            }
            LoadRequest request;
            request.file = o->file;
            request.prefix = o->prefix;
            request.allowed_host_routes = o->allowed_host_routes;
            request.neighbour_warning = true;
            const std::atomic<bool>* cancel = InstallCancelHandlers();
            int failed = kExitOk;
            LabPcaps pcaps;  // started before the lab's programs, if it has any
            auto run = BringUp(request, cancel, kExitLab, &failed, pcaps.BeforePrograms(o->pcap));
            if (!run) {
              pcaps.Finish(true);
              return CancelSignal() != 0 ? 128 + CancelSignal() : failed;
            }
            std::cerr << "topo: lab '" << run->plan.lab << "' is up; running " << o->argv[0]
                      << "\n";
            int code = 128 + CancelSignal();
            if (!pcaps.StartIfNot(o->pcap, run->plan)) {
              code = kExitLab;
            } else if (!cancel->load()) {  // not interrupted while coming up
              std::vector<std::string> clashes;
              StateStore store;
              std::vector<std::string> env = LabEnvironment(run->plan, store.dir(), &clashes);
              for (const std::string& node : clashes) {
                std::cerr << "topo: warning: node '" << node
                          << "' has no TOPO_NS_ variable: " << NamespaceVariable(node)
                          << " names another node\n";
              }
              code = RunCommand(o->argv, ChildEnvironment(env));
            }
            pcaps.Finish(code != 0);
            if (!TearDown(run->plan.lab) && code == 0) code = kExitLab;
            return code;
          }};
}

}  // namespace topo::cli
