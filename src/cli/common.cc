#include "cli/common.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <memory>

#include "front/load.h"
#include "kernel/netlink_backend.h"
#include "lab/state.h"
#include "model/host_routes.h"
#include "plan/compile.h"

namespace topo::cli {

void PrintError(const std::string& message) { std::cerr << "topo: error: " << message << "\n"; }

void AddAllowHostRouteOption(CLI::App* cmd, std::vector<Prefix>* out) {
  cmd->add_option_function<std::vector<std::string>>(
         "--allow-host-route",
         [out](const std::vector<std::string>& values) {
           for (const std::string& v : values) {
             std::string error;
             std::optional<Prefix> p = ParseAllowedHostRoute(v, &error);
             if (!p) throw CLI::ValidationError("--allow-host-route", error);
             out->push_back(*p);
           }
         },
         "Let a root node route PREFIX through the lab (link-local, metadata or half the "
         "address space and more are refused otherwise); repeatable")
      ->type_name("PREFIX")
      ->allow_extra_args(false);
}

bool RequireRoot(const std::string& what) {
  if (::geteuid() == 0) return true;
  PrintError(what + " needs root: it creates network namespaces and keeps its state in /run/topo");
  return false;
}

std::optional<Loaded> LoadOrReport(const LoadRequest& request) {
  Loaded loaded = LoadLab(request);
  if (!loaded.error.empty()) {
    PrintError(loaded.error);
    return std::nullopt;
  }
  std::cerr << loaded.Report();
  if (!loaded.ok()) return std::nullopt;
  return loaded;
}

static bool LooksLikeFile(const std::string& arg) {
  struct stat st;
  return arg == kStdinPath || arg.find('/') != std::string::npos || arg.ends_with(".yaml") ||
         arg.ends_with(".yml") || (::stat(arg.c_str(), &st) == 0 && S_ISREG(st.st_mode));
}

void AddMachineOption(CLI::App* cmd, std::string* machine) {
  cmd->add_option("--machine", *machine,
                  "A lab across machines: this machine's part (default: the machine whose "
                  "address is assigned where topo runs)");
}

void FindMachineWith(LoadRequest* request, std::unique_ptr<Backend>* probe) {
  if (!*probe) *probe = MakeBackend();
  request->backend = probe->get();
}

std::optional<std::string> ResolveLab(const std::string& arg,
                                      const std::optional<std::string>& prefix, bool allow_none,
                                      int* exit_code, const std::string& machine) {
  if (!arg.empty() && LooksLikeFile(arg)) {
    LoadRequest request;
    request.file = arg;
    request.prefix = prefix;
    request.machine = machine;
    std::unique_ptr<Backend> probe;
    FindMachineWith(&request, &probe);
    auto loaded = LoadOrReport(request);
    if (!loaded) {
      *exit_code = kExitInvalid;
      return std::nullopt;
    }
    return loaded->plan->lab;
  }
  if (!arg.empty()) {
    std::string lab = prefix ? *prefix + arg : arg;
    if (!machine.empty()) lab = PartName(lab, machine);
    if (!StateStore::IsSafeLabName(lab)) {
      PrintError("'" + lab + "' is not a lab name");
      *exit_code = kExitInvalid;
      return std::nullopt;
    }
    return lab;
  }
  StateStore store;
  std::vector<std::string> labs = store.ListLabs();
  if (labs.size() == 1) return labs[0];
  if (labs.empty()) {
    if (allow_none) return std::string();
    PrintError("no lab is up");
    *exit_code = kExitFailure;
    return std::nullopt;
  }
  std::string names;
  for (const std::string& l : labs) names += (names.empty() ? "" : ", ") + l;
  PrintError("several labs are up (" + names + "); say which one");
  *exit_code = kExitInvalid;
  return std::nullopt;
}

std::unique_ptr<Backend> MakeBackend() { return std::make_unique<NetlinkBackend>(); }

static std::atomic<bool> g_cancel{false};
static std::atomic<int> g_cancel_signal{0};

static void OnSignal(int sig) {
  g_cancel_signal.store(sig);
  g_cancel.store(true);
}

int CancelSignal() { return g_cancel_signal.load(); }

void IgnoreOutputSignals() {
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  for (int sig : {SIGPIPE, SIGXFSZ}) sigaction(sig, &ignore, nullptr);
}

void NoteSignalWhileFinishing(const std::string& what) {
  if (const int sig = CancelSignal(); sig != 0) {
    std::cerr << "topo: note: signal " << sig << " (" << strsignal(sig) << ") came while " << what
              << "; finished it first\n";
  }
}

const std::atomic<bool>* InstallCancelHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  // Every signal whose default action ends the process and that someone sends
  // (not a fault of the process itself: SIGSEGV, SIGBUS, SIGFPE, SIGILL,
  // SIGABRT, SIGSYS, SIGTRAP keep theirs). SIGPIPE and SIGXFSZ are ignored
  // (IgnoreOutputSignals): they are failed writes, not requests to stop.
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF,
                  SIGIO, SIGPWR, SIGSTKFLT, SIGXCPU}) {
    sigaction(sig, &sa, nullptr);
  }
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) sigaction(sig, &sa, nullptr);
  return &g_cancel;
}

}  // namespace topo::cli
