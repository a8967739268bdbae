#include "kernel/exec.h"

#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

#include "kernel/netns.h"

namespace topo {

namespace {

// Bind-mounts /etc/netns/NS/* over /etc/*, as iproute2 does; missing targets are skipped.
void BindEtc(const std::string& ns) {
  std::string dir = "/etc/netns/" + ns;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string src = dir + "/" + name, dst = "/etc/" + name;
    ::mount(src.c_str(), dst.c_str(), "none", MS_BIND, nullptr);
  }
  ::closedir(d);
}

}  // namespace

void ResetSignalsForExec() {
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &default_action, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

Status ExecInNamespace(const std::string& ns, const std::vector<std::string>& argv,
                       const std::string& netns_dir, const std::string& hostname) {
  if (argv.empty()) return Status::InvalidArgument("no command given");
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  if (ns.empty()) {  // the root namespace: the command runs as it is
    ResetSignalsForExec();
    ::execvp(args[0], args.data());
    return Status::FromErrno("run '" + argv[0] + "'", errno);
  }
  UniqueFd fd;
  if (Status s = OpenNetns(ns, &fd, netns_dir); !s.ok()) return s;
  if (::setns(fd.get(), CLONE_NEWNET) != 0) {
    return Status::FromErrno("enter namespace '" + ns + "'", errno);
  }
  fd.Reset();
  if (::unshare(CLONE_NEWNS) != 0) return Status::FromErrno("unshare mount namespace", errno);
  // Keep our mounts from propagating back to the host.
  if (::mount("", "/", "none", MS_SLAVE | MS_REC, nullptr) != 0) {
    return Status::FromErrno("make / a slave mount", errno);
  }
  // /sys must show this namespace's devices.
  ::umount2("/sys", MNT_DETACH);
  ::mount(ns.c_str(), "/sys", "sysfs", 0, nullptr);
  BindEtc(ns);
  if (!hostname.empty()) {
    if (::unshare(CLONE_NEWUTS) != 0) return Status::FromErrno("unshare UTS namespace", errno);
    if (::sethostname(hostname.data(), hostname.size()) != 0) {
      return Status::FromErrno("set host name '" + hostname + "'", errno);
    }
  }
  ResetSignalsForExec();
  ::execvp(args[0], args.data());
  return Status::FromErrno("run '" + argv[0] + "'", errno);
}

}  // namespace topo
