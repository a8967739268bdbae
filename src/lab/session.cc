#include "lab/session.h"

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "checks/checks.h"
#include "front/load.h"
#include "front/validate.h"
#include "kernel/host_limits.h"
#include "lab/machines.h"
#include "lab/prefix.h"
#include "plan/compile.h"

namespace topo {
namespace {

std::string Plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

std::string Loaded::Summary() const {
  return file + ": " + Plural(diags.error_count(), "error") + ", " +
         Plural(diags.warning_count(), "warning");
}

std::string Loaded::Report() const {
  if (diags.empty()) return "";
  return FormatDiagnostics(diags, text) + Summary() + "\n";
}

Loaded LoadLab(const LoadRequest& request) {
  Loaded out;
  // Standard input ("-") is "<stdin>" in diagnostics, the summary and the plan.
  out.file = InputName(request.file);
  out.diags = DiagnosticList(out.file);
  ValidateOptions vo;
  vo.prefix = request.prefix;
  vo.allowed_host_routes = request.allowed_host_routes;
  vo.limits = LoadLimitsFromEnvironment(&out.error);
  if (request.neighbour_warning) {
    vo.neighbour_limit_v4 = ReadNeighbourLimit(4);
    vo.neighbour_limit_v6 = ReadNeighbourLimit(6);
  }
  if (!out.error.empty()) return out;
  if (IsAutoPrefix(request.prefix)) {
    vo.prefix = PickPrefix(StateStore());
    out.auto_prefix = true;
  }
  // On the heap, to be freed before the plan grows. (Assigning an empty
  // Document would not free the tree: yaml-cpp nodes assign by reference.)
  auto doc = std::make_unique<Document>();
  out.parsed = request.text
                   ? LoadText(request.file, *request.text, doc.get(), &out.diags, vo.limits)
                   : LoadFile(request.file, doc.get(), &out.diags, vo.limits);
  std::optional<Topology> t;
  if (out.parsed) t = Validate(*doc, vo, &out.diags);
  out.diags.Sort();
  out.text = std::move(doc->text);
  doc.reset();
  if (!t || out.diags.has_errors() || (request.strict && out.diags.warning_count() > 0)) return out;
  if (!t->machines.empty() && (!request.machine.empty() || request.backend)) {
    Status s =
        ChooseMachine(*t, request.machine, request.backend, request.machine_here, &out.machine);
    if (!s.ok()) {
      out.error = s.message();
      return out;
    }
  }
  if (request.compile) {
    out.plan =
        out.machine.empty() ? Compile(*t, out.file) : CompileMachine(*t, out.machine, out.file);
  }
  out.topology = std::move(t);
  return out;
}

BringUpResult BringUp(Loaded* loaded, Backend& backend, StateStore& store,
                      const BringUpOptions& options) {
  BringUpResult result;
  for (int attempt = 1;; ++attempt) {
    const Plan& plan = *loaded->plan;
    if (options.on_attempt) options.on_attempt(plan);
    UpOptions uo;
    uo.cancel = options.cancel;
    uo.observer = options.observer;
    uo.before_programs = options.before_programs;
    auto start = std::chrono::steady_clock::now();
    result.up = Up(plan, backend, store, uo);
    result.ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    result.status = result.up.status;
    if (result.status.ok()) break;
    // Another process took the drawn prefix between the draw and `up`'s lock:
    // `up` refused before touching anything, so draw again.
    const bool untouched = result.up.apply.applied == 0 && !result.up.apply.failed_index;
    if (!loaded->auto_prefix || !untouched || !result.status.IsAlreadyExists() ||
        attempt >= options.attempts) {
      return result;
    }
    LoadRequest again;
    again.file = loaded->file;
    again.text = loaded->text;
    again.prefix = kAutoPrefix;
    again.allowed_host_routes = loaded->topology->allowed_host_routes;
    again.machine = loaded->machine;  // chosen already
    Loaded next = LoadLab(again);
    if (!next.ok()) return result;  // the same text under a prefix of the same length: not expected
    *loaded = std::move(next);
  }
  const Topology& t = *loaded->topology;
  if (!t.checks.empty()) {
    const std::string checks = CheckSpecsToJson(ResolveChecks(t, loaded->machine)).dump(1) + "\n";
    if (Status s = store.WriteLabFile(loaded->plan->lab, "checks.json", checks); !s.ok()) {
      result.warning =
          "could not store the lab's checks (`topo test --lab` will not find them): " + s.message();
    }
  }
  return result;
}

}  // namespace topo
