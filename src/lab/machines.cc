#include "lab/machines.h"

#include <set>

namespace topo {
namespace {

// "'m1' (10.77.0.1), 'm2' (10.77.0.2)"
std::string MachineList(const Topology& t) {
  std::string out;
  for (const Machine& m : t.machines) {
    out += (out.empty() ? "'" : ", '") + m.name + "' (" +
           (m.address ? m.address->ToString() : "no address") + ")";
  }
  return out;
}

}  // namespace

Status MachinesHere(const Topology& t, Backend& backend, std::vector<std::string>* machines) {
  machines->clear();
  NamespaceState here;
  if (Status s = backend.Inspect("", &here); !s.ok()) return s;
  std::set<IpAddress> assigned;
  for (const InterfaceState& i : here.interfaces) {
    for (const std::string& a : i.addresses) {
      std::string err;
      if (auto p = ParsePrefix(a, &err)) assigned.insert(p->addr);
    }
  }
  for (const Machine& m : t.machines) {
    if (m.address && assigned.count(*m.address)) machines->push_back(m.name);
  }
  return Status::OK();
}

Status ChooseMachine(const Topology& t, const std::string& requested, Backend* backend,
                     bool must_be_here, std::string* machine) {
  if (!requested.empty() && !t.FindMachine(requested)) {
    return Status::InvalidArgument("lab '" + t.LabName() + "' has no machine '" + requested +
                                   "'; its machines: " + MachineList(t));
  }
  if (!requested.empty() && !must_be_here) {
    *machine = requested;
    return Status::OK();
  }
  std::vector<std::string> here;
  if (backend == nullptr) return Status::InvalidArgument("no backend to find the machine with");
  if (Status s = MachinesHere(t, *backend, &here); !s.ok()) {
    return Status::IOError("cannot read the addresses of the namespace topo runs in: " +
                           s.message());
  }
  if (!requested.empty()) {
    const Machine* m = t.FindMachine(requested);
    for (const std::string& h : here) {
      if (h == requested) {
        *machine = requested;
        return Status::OK();
      }
    }
    return Status::InvalidArgument(
        "machine '" + requested + "' of lab '" + t.LabName() + "' has address " +
        (m->address ? m->address->ToString() : "(none)") +
        ", which is not assigned in the network namespace topo runs in: this is not that "
        "machine (run topo there, or in the namespace that has the address)");
  }
  if (here.size() == 1) {
    *machine = here[0];
    return Status::OK();
  }
  return Status::InvalidArgument(
      std::string(here.empty() ? "none" : "several") + " of the machines of lab '" + t.LabName() +
      "' " + (here.empty() ? "has its" : "have their") +
      " address assigned in the network namespace topo runs in (" + MachineList(t) +
      "): say which part to work on with --machine NAME");
}

}  // namespace topo
