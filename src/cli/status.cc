// topo status [LAB|FILE] [--machine NAME] [--json]: labs that are up, as the kernel reports them,
// and drift.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/common.h"
#include "lab/lab.h"
#include "lab/state.h"

namespace topo::cli {

namespace {

nlohmann::json StatusJson(const LabStatus& s) {
  nlohmann::json j;
  j["lab"] = s.lab;
  j["state"] = s.complete ? "up" : "incomplete";
  j["source"] = s.plan.source_file;
  j["drift"] = s.drift;
  nlohmann::json nodes = nlohmann::json::array();
  for (const NamespaceState& ns : s.namespaces) {
    nlohmann::json n;
    n["namespace"] = ns.name;
    n["exists"] = ns.exists;
    nlohmann::json ifs = nlohmann::json::array();
    for (const InterfaceState& itf : ns.interfaces) {
      nlohmann::json entry = {
          {"name", itf.name},           {"up", itf.up},      {"mtu", itf.mtu}, {"mac", itf.mac},
          {"addresses", itf.addresses}, {"qdisc", itf.qdisc}};
      if (!itf.kind.empty()) entry["kind"] = itf.kind;  // the kernel's: "veth", "vxlan", ...
      // What the plan and set-link asked for; "kernel_impairment" is what
      // the qdiscs read back do.
      if (!itf.impairment.IsNone()) entry["kernel_impairment"] = ImpairmentToJson(itf.impairment);
      if (auto imp = s.impairments.find(ns.name + ":" + itf.name); imp != s.impairments.end()) {
        entry["impairment"] = ImpairmentToJson(imp->second);
      }
      ifs.push_back(entry);
    }
    n["interfaces"] = ifs;
    nlohmann::json routes = nlohmann::json::array();
    for (const RouteState& r : ns.routes) routes.push_back(r.ToString());
    n["routes"] = routes;
    nodes.push_back(n);
  }
  j["namespaces"] = nodes;
  nlohmann::json programs = nlohmann::json::array();
  for (const ProgramStatus& p : s.programs) {
    nlohmann::json entry = {{"node", p.node},
                            {"name", p.name},
                            {"state", ProgramStatus::StateName(p.state)},
                            {"ready", p.ready}};
    if (p.state == ProgramStatus::State::kRunning) entry["pid"] = p.pid;
    if (p.state == ProgramStatus::State::kExited) entry["status"] = p.code;
    if (p.state == ProgramStatus::State::kKilled) entry["signal"] = p.code;
    programs.push_back(entry);
  }
  j["programs"] = programs;
  return j;
}

void PrintStatus(const LabStatus& s) {
  std::cout << "lab " << s.lab << " (" << (s.complete ? "up" : "incomplete: `up` did not finish")
            << (s.plan.source_file.empty() ? "" : ", from " + s.plan.source_file) << ")\n";
  for (const NamespaceState& ns : s.namespaces) {
    std::cout << "  " << ns.name << (ns.exists ? "" : "  (gone)") << "\n";
    for (const InterfaceState& i : ns.interfaces) {
      std::string addrs;
      for (const std::string& a : i.addresses) addrs += " " + a;
      char line[64];
      std::snprintf(line, sizeof(line), "    %-15s %-4s mtu %-5d", i.name.c_str(),
                    i.up ? "up" : "down", i.mtu);
      // What it is, beside a link's end: "vxlan", "dummy", "vlan", "bridge".
      const std::string kind = i.kind.empty() || i.kind == "veth" ? "" : " (" + i.kind + ")";
      std::cout << line << addrs << kind << "\n";
      if (auto imp = s.impairments.find(ns.name + ":" + i.name); imp != s.impairments.end()) {
        std::cout << "    " << std::string(15, ' ') << " impaired: " << imp->second.ToString()
                  << "\n";
      }
    }
    for (const RouteState& r : ns.routes) std::cout << "    route " << r.ToString() << "\n";
  }
  if (!s.programs.empty()) std::cout << "  programs\n";
  for (const ProgramStatus& p : s.programs) {
    char name[128];
    std::snprintf(name, sizeof(name), "    %-23s ", (p.node + "/" + p.name).c_str());
    std::cout << name << p.Describe() << "\n";
  }
  if (s.drift.empty()) {
    std::cout << "  no drift from the plan\n";
  } else {
    for (const std::string& d : s.drift) std::cout << "  drift: " << d << "\n";
  }
}

}  // namespace

Verb RegisterStatus(CLI::App& app) {
  auto* cmd = app.add_subcommand("status", "Show labs that are up, as the kernel sees them");
  struct Opts {
    std::string lab;
    bool json = false;
    std::string machine;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("lab", o->lab,
                  "Lab name or topology file (default: every lab that is up; the parts of a lab "
                  "across machines are LAB@MACHINE)");
  AddMachineOption(cmd, &o->machine);
  cmd->add_flag("--json", o->json, "Print as JSON");
  return {
      cmd, [o]() -> int {
        if (!RequireRoot("topo status")) return kExitFailure;
        StateStore store;
        std::vector<std::string> labs = store.ListLabs();
        if (!o->lab.empty() || !o->machine.empty()) {
          int resolved = kExitOk;
          auto lab = ResolveLab(o->lab, std::nullopt, /*allow_none=*/false, &resolved, o->machine);
          if (!lab) return resolved;
          labs = {*lab};
        }
        auto backend = MakeBackend();
        int code = kExitOk;
        nlohmann::json all = nlohmann::json::array();
        if (labs.empty() && !o->json) std::cout << "no lab is up\n";
        for (const std::string& lab : labs) {
          LabStatus s;
          Status st = GetLabStatus(lab, *backend, store, &s);
          if (!st.ok()) {
            PrintError(st.message());
            code = kExitFailure;
            continue;
          }
          if (!s.drift.empty()) code = kExitFailure;
          if (o->json) {
            all.push_back(StatusJson(s));
          } else {
            PrintStatus(s);
          }
        }
        if (o->json)
          std::cout << all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return code;
      }};
}

}  // namespace topo::cli
