#include "fuzz_one.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "front/load.h"
#include "front/rules.h"
#include "front/validate.h"
#include "lab/apply.h"
#include "lab/teardown.h"
#include "model/diagnostic.h"
#include "plan/compile.h"
#include "plan/plan.h"
#include "support/recording_backend.h"

namespace topo::fuzz {
namespace {

[[noreturn]] void Violated(const char* property, const std::string& detail) {
  std::fprintf(stderr, "fuzz property violated: %s\n%s\n", property, detail.c_str());
  std::abort();
}

void CheckDiagnostics(const DiagnosticList& diags, const std::string& text) {
  const std::string human = FormatDiagnostics(diags, text);
  for (unsigned char c : human) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      Violated("diagnostics are terminal-safe", human);
    }
  }
  const std::string json = DiagnosticsToJson(diags).dump();
  if (!nlohmann::json::accept(json)) Violated("diagnostics JSON is valid", json);
}

void CheckPlan(const Plan& plan) {
  for (const std::string& ns : plan.namespaces) {
    if (!NamespaceNameProblem(ns).empty()) Violated("namespace names are safe", ns);
  }
  for (const Action& a : plan.actions) {
    for (const std::string* name : {&a.ifname, &a.peer_ifname()}) {
      if (!name->empty() && !InterfaceNameProblem(*name).empty()) {
        Violated("interface names are safe", *name);
      }
    }
  }
  const nlohmann::json j = PlanToJson(plan);
  Plan back;
  if (!PlanFromJson(j, &back).ok() || PlanToJson(back) != j) {
    Violated("plan JSON round-trips", j.dump(1));
  }
  FormatPlanText(plan);
  FormatPlanShell(plan, false);
  FormatPlanShell(plan, true);

  // The network part: a node's files, private directories and programs need
  // the runtime of a lab (processes, the lab's state), which the recording
  // backend does not stand in for; their plan actions are checked above.
  Plan net = plan;
  std::erase_if(net.actions, [](const Action& a) {
    return a.kind == ActionKind::kMakeNodeDir || a.kind == ActionKind::kWriteNodeFile ||
           a.kind == ActionKind::kStartProgram;
  });
  RecordingBackend backend;
  ApplyResult r = Apply(net, backend);
  if (!r.status.ok()) Violated("a valid plan applies to the recording backend", r.status.message());
  TeardownReport rep =
      Teardown(net, std::vector<bool>(net.actions.size(), true), std::nullopt, r.notes, backend);
  if (!rep.ok() || !backend.Empty()) Violated("teardown leaves nothing", FormatPlanText(net));
}

}  // namespace

void FuzzOne(const uint8_t* data, size_t size) {
  // Small limits keep each run fast; the real limits are tested directly.
  LoadLimits limits;
  limits.max_bytes = 1 << 16;
  limits.max_nodes = 20'000;
  limits.max_lab_nodes = 200;
  std::string text(reinterpret_cast<const char*>(data), size);
  Document doc;
  DiagnosticList diags("fuzz.yaml");
  std::optional<Topology> t;
  if (LoadText("fuzz.yaml", text, &doc, &diags, limits)) t = Validate(doc, {}, &diags);
  diags.Sort();
  CheckDiagnostics(diags, doc.text);
  if (t && !diags.has_errors()) CheckPlan(Compile(*t, "fuzz.yaml"));
}

}  // namespace topo::fuzz
