// topo::Lab (include/topo/lab.h): the public lab API over the pipeline.
// Load validates once, keeping the text; Up validates again with the chosen
// prefix (names are checked with the prefix in them), compiles and applies
// through the NetlinkBackend and the default StateStore: the session path of
// lab/session.h, which `topo up` takes too.
#include "topo/lab.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <map>
#include <thread>

#include "kernel/find_program.h"
#include "kernel/netlink_backend.h"
#include "kernel/netns.h"
#include "lab/lab.h"
#include "lab/node_runtime.h"
#include "lab/session.h"
#include "lab/state.h"
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

// Loads `text` (or the file, when text is absent) through the session; throws
// Error with every diagnostic when it is invalid.
Loaded LoadOrThrow(const std::string& file, const std::optional<std::string>& text,
                   const std::optional<std::string>& prefix, bool compile) {
  LoadRequest request;
  request.file = file;
  request.text = text;
  request.prefix = prefix;
  request.compile = compile;
  Loaded loaded = LoadLab(request);
  if (!loaded.error.empty()) throw Error(loaded.error);
  if (!loaded.parsed && !text) {
    throw Error(FormatDiagnostics(loaded.diags, loaded.text) + file + ": cannot be loaded");
  }
  if (!loaded.ok()) throw Error(FormatDiagnostics(loaded.diags, loaded.text) + loaded.Summary());
  return loaded;
}

// The namespace of a node: by name in /run/netns, or for the root node (ns "")
// this thread's, the host's, by identity (never a namespace named after it).
UniqueFd OpenNodeNamespace(const std::string& ns) {
  UniqueFd fd;
  if (ns.empty()) {
    fd.Reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
      throw Error(std::string("open /proc/thread-self/ns/net: ") + std::strerror(errno));
  } else if (Status s = OpenNetns(ns, &fd); !s.ok()) {
    throw Error(s.message());
  }
  return fd;
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
  Loaded loaded = LoadOrThrow(path, std::nullopt, std::nullopt, /*compile=*/false);
  auto impl = std::make_unique<Impl>();
  impl->file = path;
  impl->text = std::move(loaded.text);
  impl->topology = std::move(*loaded.topology);
  return Lab(std::move(impl));
}

Lab Lab::FromYaml(const std::string& yaml, const std::string& name) {
  Loaded loaded = LoadOrThrow(name, yaml, std::nullopt, /*compile=*/false);
  auto impl = std::make_unique<Impl>();
  impl->file = name;
  impl->text = yaml;
  impl->topology = std::move(*loaded.topology);
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
  Loaded loaded = LoadOrThrow(impl_->file, impl_->text, prefix, /*compile=*/true);
  BringUpResult r = BringUp(&loaded, backend, store);
  const Plan& plan = *loaded.plan;
  if (!r.status.ok()) {
    std::string why = UpFailure(plan, r.up);
    throw Error(why.rfind("cannot ", 0) == 0 ? why
                                             : "cannot bring up lab '" + plan.lab + "': " + why);
  }
  const Topology& t = *loaded.topology;
  impl_->up = true;
  impl_->prefix = t.prefix;
  impl_->lab = plan.lab;
  impl_->namespaces.clear();
  for (const Node& n : t.nodes) impl_->namespaces[n.name] = t.NamespaceOfNode(n);
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

std::string Lab::Log(const std::string& node, const std::string& program) const {
  const std::string ns = Namespace(node);
  StateStore store;
  LabRecord rec;
  if (Status s = store.ReadLab(impl_->lab, &rec); !s.ok()) throw Error(s.message());
  std::vector<std::string> names;
  for (const Action& a : rec.plan.actions) {
    if (a.kind == ActionKind::kStartProgram && a.node == node) names.push_back(a.program().name);
  }
  if (std::find(names.begin(), names.end(), program) == names.end()) {
    throw Error("no program '" + program + "' in node '" + node + "'" + DidYouMean(program, names));
  }
  const std::string path = ProgramLogPath(store.LabDir(impl_->lab), node, program);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return "";
    throw Error("cannot read the log of '" + node + "/" + program + "': " + std::strerror(errno));
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

ExecResult Lab::Exec(const std::string& node, const std::vector<std::string>& argv,
                     const std::string& input) const {
  if (argv.empty()) throw Error("no command given");
  UniqueFd fd = OpenNodeNamespace(Namespace(node));
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
  const std::string ns = Namespace(node);
  UniqueFd fd = OpenNodeNamespace(ns);
  std::exception_ptr error;
  std::thread thread([&] {
    if (::setns(fd.get(), CLONE_NEWNET) != 0) {
      error = std::make_exception_ptr(Error(
          "enter " + (ns.empty() ? std::string("the host's namespace") : "namespace '" + ns + "'") +
          ": " + std::strerror(errno)));
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
