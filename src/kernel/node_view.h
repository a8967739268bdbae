// A node's view of the machine: what a process started in a node sees. It
// runs in the node's network namespace and in a mount namespace of its own in
// which / is a slave of the host's (nothing mounted in the view reaches the
// host), /sys shows the node's devices, every file of /etc/netns/NS/ is
// bind-mounted over its /etc counterpart (as `ip netns exec` does), the
// node's private directories and stored files are bind-mounted over their
// paths, and, with a host name, a UTS namespace of its own says the node's
// name. `topo exec`, the programs of a lab and their readiness commands all
// enter the same view.
//
// A path of the view that does not exist on the machine is made to exist in
// the view only: its nearest existing ancestor gets a read-only overlay whose
// upper layer is a skeleton kept in the lab's state (the missing directories,
// and an empty file for a stored file), and the private directory or file is
// then bind-mounted onto it. The host's file system is never written. Such an
// ancestor may not be / itself.
//
// EnterNodeView changes the calling process's namespaces: call it in a child
// after fork(), never in topo itself. It allocates (it is not
// async-signal-safe), so the parent must be single-threaded, as topo is.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "model/status.h"

namespace topo {

struct NodeMount {
  std::string source;  // where topo keeps the bytes (a directory or file in the lab's state)
  std::string target;  // the absolute path in the node
  bool dir = false;
};

struct NodeView {
  std::string ns;  // the network namespace's name
  std::string netns_dir = "/run/netns";
  std::string hostname;           // "" keeps the machine's host name
  std::vector<NodeMount> mounts;  // bind-mounted in this order
  std::string skeleton_dir;       // for missing paths: skeletons go under it ("" refuses them)
};

// Enters the view (see above). On failure the process is in an unknown
// state and should exit. With `base_mnt_fd` (a ViewBase's), the new mount
// namespace is made from that lean one rather than from the caller's.
Status EnterNodeView(const NodeView& view, int base_mnt_fd = -1);

// Every new mount namespace copies the whole mount table of the one it is
// made from, and the host's holds a mount per network namespace in
// /run/netns: a view per program of a lab of N nodes would copy N mounts N
// times when made and unmount them N times when freed. A ViewBase is one
// mount namespace, a slave of the host's, without the netns directory's
// mounts, that the views of one `up` are made from. A child process (killed
// by the destructor, or when topo dies) keeps it alive; it holds no
// descriptor of topo's and lives in the host's network namespace.
class ViewBase {
 public:
  ViewBase() = default;
  ~ViewBase();
  ViewBase(const ViewBase&) = delete;
  ViewBase& operator=(const ViewBase&) = delete;

  Status Start(const std::string& netns_dir = "/run/netns");
  // The base's mount namespace (-1 before Start).
  int fd() const { return fd_; }

 private:
  pid_t holder_ = -1;
  int fd_ = -1;
};

// Prepares, in the lab's state and before any process enters the view, the
// skeletons that make the view's missing paths exist (see above), and checks
// that every target can be made to exist: "path '/x/y' cannot be made in node
// 'n': ...". Called by `up` once per node; idempotent.
Status PrepareNodeView(const NodeView& view);

// The nearest ancestor of `path` (absolute, normalised) that exists on the
// machine, as lstat sees it: "/" at worst.
std::string NearestExistingAncestor(const std::string& path);

}  // namespace topo
