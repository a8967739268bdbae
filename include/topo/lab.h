// topo::Lab is a network lab as a C++ value: load a topology (a file or YAML
// text), bring it up under a prefix of its own, run commands and code inside
// its nodes, look up their addresses, and tear it down again. It is the public
// face of topo's pipeline (validate, compile, apply through netlink, journal,
// teardown) for programs and test suites; the `topo` command is built on the
// same pipeline, so a lab brought up here is one `topo status` and `topo down`
// know about.
//
// Promises:
// - Load validates completely: an invalid topology never touches the kernel,
//   and the error carries every diagnostic, formatted as `topo validate` prints them.
// - Up either brings the whole lab up or leaves the machine as it was.
// - Down is idempotent, and the destructor calls it: a Lab that goes out of
//   scope, however the scope is left, removes its namespaces.
// - With the automatic prefix (the default), two labs never share a namespace
//   name, within one process or across processes.
//
// Errors are reported by throwing topo::Error (the destructor never throws).
// Up, Down, Exec and InNamespace need root, or a rootless sandbox: without
// root, the first Up makes this process the root of a sandbox of its own (a
// user namespace with private mount and network namespaces, docs/ROOTLESS.md),
// which the kernel frees with the process, labs and all. A Lab is movable, not copyable; one
// Lab must not be used from several threads at once, and a moved-from Lab may
// only be assigned to or destroyed.
//
// This header and topo/testing.h are the whole public interface: they include
// nothing from topo's sources.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace topo {

// What every failing Lab operation throws; what() is the whole message, for an
// invalid topology every diagnostic with its file:line:col.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Passed as the prefix to Up: pick a short prefix no other lab or namespace
// uses ("t3kq9-"). Any other string is used as the prefix as it is.
inline constexpr char kAutoPrefix[] = "auto";

struct ExecResult {
  int status = -1;     // exit status (0-255), 128+N when killed by signal N
  std::string output;  // standard output and standard error, interleaved
  bool ok() const { return status == 0; }
};

// An address of an interface, as declared in the topology.
struct InterfaceAddress {
  std::string interface;  // "vethS"
  std::string address;    // "10.0.1.2", without the prefix length
  int prefix_length = 0;  // 24
  int family = 4;         // 4 or 6
  std::string cidr() const { return address + "/" + std::to_string(prefix_length); }
};

// Makes sure this process can bring labs up: as root, at once; without root,
// by entering a sandbox of its own for the rest of its life (which needs a
// process with a single thread). Returns "" when it can, else why not, naming
// the setting that forbids it and the fix. Lab::Up calls it.
std::string EnsureLabsCanComeUp();

class Lab {
 public:
  // Reads and validates a topology file.
  static Lab Load(const std::string& path);
  // Validates YAML text; `name` stands for the file name in diagnostics.
  static Lab FromYaml(const std::string& yaml, const std::string& name = "<yaml>");

  Lab(Lab&& other) noexcept;
  Lab& operator=(Lab&& other) noexcept;  // tears down the lab it replaces
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;
  ~Lab();  // Down(), errors ignored

  // Brings the lab up with `prefix` prepended to every namespace name and to
  // the lab's name (kAutoPrefix: a unique one). Throws when it is already up.
  void Up(const std::string& prefix = kAutoPrefix);
  // Removes the lab; does nothing when it is not up. Throws only when the
  // kernel refused to remove something (the journal then stays, for `topo down`).
  void Down();
  bool is_up() const;

  const std::string& topology_name() const;  // the file's `name`
  // While up: the prefix in use and the lab's name (prefix + topology name),
  // as `topo status` shows it. Empty when down.
  const std::string& prefix() const;
  const std::string& name() const;
  // The nodes, in the file's order.
  std::vector<std::string> Nodes() const;

  // The network namespace of a node ("t3kq9-server"), usable with `ip netns exec`
  // and as /run/netns/NAME; "" for the node of kind root (the host's namespace,
  // where Exec and InNamespace then run). Needs the lab up. Throws for an unknown node.
  std::string Namespace(const std::string& node) const;

  // Every address the topology gives the node, interface by interface.
  std::vector<InterfaceAddress> Addresses(const std::string& node) const;
  // The first address of `ifname` (of `family` 4 or 6 when given, else either),
  // without prefix length: "10.0.1.2". Throws when there is none.
  std::string Address(const std::string& node, const std::string& ifname, int family = 0) const;

  // Runs a program inside the node's namespace and waits for it. argv[0] is
  // looked up in PATH (no shell); `input` is written to its standard input.
  // A program that cannot be started gives status 127 and the reason as output.
  ExecResult Exec(const std::string& node, const std::vector<std::string>& argv,
                  const std::string& input = "") const;

  // The output so far (standard output and standard error, interleaved) of a
  // program the topology declares in the node (its `programs:`, started by Up
  // and ready when Up returns), as `topo logs NODE PROGRAM` shows it. Needs
  // the lab up. Throws for an unknown node or program.
  std::string Log(const std::string& node, const std::string& program) const;

  // Runs fn() on a new thread inside the node's network namespace, waits for it
  // and returns what it returns (exceptions are passed on). Sockets fn opens
  // belong to the node's namespace, and keep doing so after fn returns.
  template <typename F>
  std::invoke_result_t<F&> InNamespace(const std::string& node, F&& fn) const {
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_void_v<R>) {
      RunOnNamespaceThread(node, [&fn] { fn(); });
    } else {
      std::optional<R> result;
      RunOnNamespaceThread(node, [&fn, &result] { result.emplace(fn()); });
      return std::move(*result);
    }
  }

 private:
  struct Impl;
  explicit Lab(std::unique_ptr<Impl> impl);
  void RunOnNamespaceThread(const std::string& node, const std::function<void()>& fn) const;

  std::unique_ptr<Impl> impl_;
};

}  // namespace topo
