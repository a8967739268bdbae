#include "kernel/exec.h"

#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

#include "kernel/file_limit.h"
#include "kernel/netns.h"
#include "kernel/node_view.h"

namespace topo {

void ResetSignalsForExec() {
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &default_action, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  RestoreOpenFileLimitForExec();
}

Status ExecInNamespace(const std::string& ns, const std::vector<std::string>& argv,
                       const std::string& netns_dir, const std::string& hostname) {
  NodeView view;
  view.ns = ns;
  view.netns_dir = netns_dir;
  view.hostname = hostname;
  return ExecInNodeView(view, argv);
}

Status ExecInNodeView(const NodeView& view, const std::vector<std::string>& argv) {
  if (argv.empty()) return Status::InvalidArgument("no command given");
  // The root namespace (a lab's `root` node, the host itself): the command runs as it is.
  if (!view.ns.empty()) {
    if (Status s = EnterNodeView(view); !s.ok()) return s;
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ResetSignalsForExec();
  ::execvp(args[0], args.data());
  return Status::FromErrno("run '" + argv[0] + "'", errno);
}

}  // namespace topo
