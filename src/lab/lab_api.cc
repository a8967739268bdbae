// topo::Lab (include/topo/lab.h): the public lab API over the pipeline.
// Load validates once, keeping the text; Up validates again with the chosen
// prefix (names are checked with the prefix in them), compiles and applies
// through the NetlinkBackend and the default StateStore, as `topo up` does.
#include "topo/lab.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <map>
#include <thread>

#include "front/validate.h"
#include "kernel/find_program.h"
#include "kernel/netlink_backend.h"
#include "kernel/netns.h"
#include "lab/lab.h"
#include "lab/prefix.h"
#include "lab/state.h"
#include "plan/compile.h"
#include "sandbox/sandbox.h"

namespace topo {

struct Lab::Impl {
  std::string file;   // the name diagnostics use
  std::string text;   // the topology, for validating again with a prefix
  Topology topology;  // as validated by Load (with the file's own prefix)
  bool up = false;
  std::string prefix, lab;                        // while up
  std::map<std::string, std::string> namespaces;  // node -> namespace, while up
};

namespace {

std::string Plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// Validates `text`; throws Error with every diagnostic when it is invalid.
Topology ValidateOrThrow(const std::string& file, const std::string& text,
                         const std::optional<std::string>& prefix) {
  Document doc;
  DiagnosticList diags(file);
  std::optional<Topology> t;
  if (LoadText(file, text, &doc, &diags)) {
    ValidateOptions vo;
    vo.prefix = prefix;
    t = Validate(doc, vo, &diags);
  }
  diags.Sort();
  if (t && !diags.has_errors()) return std::move(*t);
  throw Error(FormatDiagnostics(diags, doc.text) + file + ": " +
              Plural(diags.error_count(), "error") + ", " +
              Plural(diags.warning_count(), "warning"));
}

std::string UpFailure(const Plan& plan, const UpResult& r) {
  std::string msg = r.status.message();
  if (r.apply.rolled_back) {
    if (r.apply.rollback.ok()) {
      msg += "; rolled back, the machine is as it was";
    } else {
      msg += "; rollback failed (" + r.apply.rollback.errors[0] + "): run `topo down " + plan.lab +
             "` to finish the cleanup";
    }
  }
  return msg;
}

}  // namespace

Lab::Lab(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Lab::Lab(Lab&& other) noexcept = default;

Lab& Lab::operator=(Lab&& other) noexcept {
  if (this != &other) {
    try {
      Down();
    } catch (...) {
    }
    impl_ = std::move(other.impl_);
  }
  return *this;
}

Lab::~Lab() {
  try {
    Down();
  } catch (...) {
    // The journal stays; `topo down` finishes what could not be done here.
  }
}

Lab Lab::Load(const std::string& path) {
  Document doc;
  DiagnosticList diags(path);
  if (!LoadFile(path, &doc, &diags)) {
    throw Error(FormatDiagnostics(diags, doc.text) + path + ": cannot be loaded");
  }
  return FromYaml(doc.text, path);
}

Lab Lab::FromYaml(const std::string& yaml, const std::string& name) {
  auto impl = std::make_unique<Impl>();
  impl->file = name;
  impl->text = yaml;
  impl->topology = ValidateOrThrow(name, yaml, std::nullopt);
  return Lab(std::move(impl));
}

std::string EnsureLabsCanComeUp() {
  if (::geteuid() == 0) return "";
  if (Status s = sandbox::EnterNew(); !s.ok()) return s.message();
  return "";
}

void Lab::Up(const std::string& prefix) {
  if (!impl_) throw Error("this lab was moved from");
  if (impl_->up) throw Error("lab '" + impl_->lab + "' is already up");
  if (std::string why = EnsureLabsCanComeUp(); !why.empty()) throw Error(why);
  StateStore store;
  if (Status s = store.Open(); !s.ok()) throw Error(s.message());
  NetlinkBackend backend;
  const bool automatic = prefix == kAutoPrefix;
  for (int attempt = 0;; ++attempt) {
    std::string chosen = automatic ? PickPrefix(store) : prefix;
    Topology t = ValidateOrThrow(impl_->file, impl_->text, chosen);
    Plan plan = Compile(t, impl_->file);
    UpResult r = topo::Up(plan, backend, store);
    if (r.status.ok()) {
      impl_->up = true;
      impl_->prefix = chosen;
      impl_->lab = plan.lab;
      impl_->namespaces.clear();
      for (const Node& n : t.nodes) impl_->namespaces[n.name] = t.NamespaceOf(n.name);
      return;
    }
    // Another process took the picked prefix between the pick and the lock.
    bool untouched = r.apply.applied == 0 && !r.apply.failed_index;
    if (automatic && untouched && r.status.IsAlreadyExists() && attempt < 8) continue;
    std::string why = UpFailure(plan, r);
    throw Error(why.rfind("cannot ", 0) == 0 ? why
                                             : "cannot bring up lab '" + plan.lab + "': " + why);
  }
}

void Lab::Down() {
  if (!impl_ || !impl_->up) return;
  StateStore store;
  NetlinkBackend backend;
  DownResult r = topo::Down(impl_->lab, backend, store);
  if (!r.status.ok()) throw Error(r.status.message());
  impl_->up = false;
  impl_->prefix.clear();
  impl_->lab.clear();
  impl_->namespaces.clear();
}

bool Lab::is_up() const { return impl_ && impl_->up; }

const std::string& Lab::topology_name() const { return impl_->topology.name; }
const std::string& Lab::prefix() const { return impl_->prefix; }
const std::string& Lab::name() const { return impl_->lab; }

std::vector<std::string> Lab::Nodes() const {
  std::vector<std::string> names;
  for (const Node& n : impl_->topology.nodes) names.push_back(n.name);
  return names;
}

std::string Lab::Namespace(const std::string& node) const {
  if (!impl_->topology.FindNode(node)) {
    throw Error("no node '" + node + "' in lab '" + impl_->topology.name + "'" +
                DidYouMean(node, Nodes()));
  }
  if (!impl_->up) throw Error("lab '" + impl_->topology.name + "' is not up");
  return impl_->namespaces.at(node);
}

std::vector<InterfaceAddress> Lab::Addresses(const std::string& node) const {
  const Node* n = impl_->topology.FindNode(node);
  if (!n) {
    throw Error("no node '" + node + "' in lab '" + impl_->topology.name + "'" +
                DidYouMean(node, Nodes()));
  }
  std::vector<InterfaceAddress> out;
  for (const Interface& i : n->interfaces) {
    for (const Prefix& p : i.addresses) {
      out.push_back({i.name, p.addr.ToString(), p.length, p.family()});
    }
  }
  return out;
}

std::string Lab::Address(const std::string& node, const std::string& ifname, int family) const {
  std::vector<std::string> names;
  for (const InterfaceAddress& a : Addresses(node)) {
    if (a.interface == ifname && (family == 0 || a.family == family)) return a.address;
  }
  const Interface* itf = impl_->topology.FindNode(node)->FindInterface(ifname);
  if (!itf) {
    for (const Interface& i : impl_->topology.FindNode(node)->interfaces) names.push_back(i.name);
    throw Error("node '" + node + "' has no interface '" + ifname + "'" +
                DidYouMean(ifname, names));
  }
  std::string which = family ? "IPv" + std::to_string(family) + " address" : "address";
  throw Error("interface '" + node + ":" + ifname + "' has no " + which);
}

ExecResult Lab::Exec(const std::string& node, const std::vector<std::string>& argv,
                     const std::string& input) const {
  if (argv.empty()) throw Error("no command given");
  std::string ns = Namespace(node);
  UniqueFd fd;
  if (Status s = OpenNetns(ns, &fd); !s.ok()) throw Error(s.message());
  ExecResult r;
  std::optional<std::string> program = FindProgram(argv[0]);
  if (!program) {
    r.status = 127;
    r.output = "'" + argv[0] + "' not found in PATH";
    return r;
  }
  std::vector<std::string> args = argv;
  args[0] = *program;
  r.status = RunInNamespace(fd.get(), args, input, &r.output);
  if (r.status < 0) r.status = 127;
  return r;
}

void Lab::RunOnNamespaceThread(const std::string& node, const std::function<void()>& fn) const {
  std::string ns = Namespace(node);
  UniqueFd fd;
  if (Status s = OpenNetns(ns, &fd); !s.ok()) throw Error(s.message());
  std::exception_ptr error;
  std::thread thread([&] {
    if (::setns(fd.get(), CLONE_NEWNET) != 0) {
      error =
          std::make_exception_ptr(Error("enter namespace '" + ns + "': " + std::strerror(errno)));
      return;
    }
    try {
      fn();
    } catch (...) {
      error = std::current_exception();
    }
  });
  thread.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace topo
