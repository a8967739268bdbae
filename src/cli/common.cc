#include "cli/common.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "front/validate.h"
#include "kernel/netlink_backend.h"
#include "lab/prefix.h"
#include "lab/state.h"
#include "plan/compile.h"

namespace topo::cli {

int g_exit_code = kExitOk;

void PrintError(const std::string& message) { std::cerr << "topo: error: " << message << "\n"; }

bool RequireRoot(const std::string& what) {
  if (::geteuid() == 0) return true;
  PrintError(what + " needs root: it creates network namespaces and keeps its state in /run/topo");
  g_exit_code = kExitFailure;
  return false;
}

std::optional<Plan> LoadPlan(const LoadOptions& o) {
  // On the heap, to be freed before the plan grows. (Assigning an empty
  // Document would not free the tree: yaml-cpp nodes assign by reference.)
  auto doc = std::make_unique<Document>();
  DiagnosticList diags(o.file);
  ValidateOptions vo;
  vo.prefix = o.prefix;
  std::string limit_error;
  vo.limits = LoadLimitsFromEnvironment(&limit_error);
  if (!limit_error.empty()) {
    PrintError(limit_error);
    g_exit_code = kExitInvalid;
    return std::nullopt;
  }
  if (IsAutoPrefix(o.prefix)) vo.prefix = PickPrefix(StateStore());
  std::optional<Topology> t = LoadAndValidate(o.file, vo, doc.get(), &diags);
  bool failed = !t || (o.strict && diags.warning_count() > 0);
  if (o.json) {
    for (auto& d : DiagnosticsToJson(diags)) o.json_out->push_back(d);
  } else if (!diags.empty()) {
    std::cerr << FormatDiagnostics(diags, doc->text);
    std::cerr << o.file << ": " << diags.error_count() << " error"
              << (diags.error_count() == 1 ? "" : "s") << ", " << diags.warning_count()
              << " warning" << (diags.warning_count() == 1 ? "" : "s") << "\n";
  }
  if (failed) {
    g_exit_code = kExitInvalid;
    return std::nullopt;
  }
  doc.reset();
  if (o.topology_out) *o.topology_out = *t;
  return Compile(*t, o.file);
}

std::optional<Topology> LoadTopology(const LoadOptions& o) {
  Document doc;
  DiagnosticList diags(o.file);
  ValidateOptions vo;
  vo.prefix = o.prefix;
  std::optional<Topology> t = LoadAndValidate(o.file, vo, &doc, &diags);
  if (!diags.empty()) {
    std::cerr << FormatDiagnostics(diags, doc.text);
    std::cerr << o.file << ": " << diags.error_count() << " error"
              << (diags.error_count() == 1 ? "" : "s") << ", " << diags.warning_count()
              << " warning" << (diags.warning_count() == 1 ? "" : "s") << "\n";
  }
  if (!t) g_exit_code = kExitInvalid;
  return t;
}

static bool LooksLikeFile(const std::string& arg) {
  struct stat st;
  return arg.find('/') != std::string::npos || arg.ends_with(".yaml") || arg.ends_with(".yml") ||
         (::stat(arg.c_str(), &st) == 0 && S_ISREG(st.st_mode));
}

std::optional<std::string> ResolveLab(const std::string& arg,
                                      const std::optional<std::string>& prefix, bool allow_none) {
  if (!arg.empty() && LooksLikeFile(arg)) {
    LoadOptions lo;
    lo.file = arg;
    lo.prefix = prefix;
    auto plan = LoadPlan(lo);
    if (!plan) return std::nullopt;
    return plan->lab;
  }
  if (!arg.empty()) {
    std::string lab = prefix ? *prefix + arg : arg;
    if (!StateStore::IsSafeLabName(lab)) {
      PrintError("'" + lab + "' is not a lab name");
      g_exit_code = kExitInvalid;
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
    g_exit_code = kExitFailure;
    return std::nullopt;
  }
  std::string names;
  for (const std::string& l : labs) names += (names.empty() ? "" : ", ") + l;
  PrintError("several labs are up (" + names + "); say which one");
  g_exit_code = kExitInvalid;
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

const std::atomic<bool>* InstallCancelHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
  return &g_cancel;
}

}  // namespace topo::cli
