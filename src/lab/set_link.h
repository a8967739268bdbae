// SetLink changes the impairments of a running lab's link ends without
// rebuilding anything: what `topo set-link` does, as a library.
//
// Promises: values are checked before anything changes; each change is written
// to the lab's journal (and synced) before the kernel is touched, and its
// outcome after, so `topo status` shows the current impairments and a crash
// mid-change is visible there (running the same set-link again finishes it).
// A change the kernel refuses is undone: every end is left with the
// impairment it had. Holds the lab's lock throughout (a signal topo catches
// ends the wait for it, naming its holder: state.h). `down` needs
// nothing from here: qdiscs go with their namespace.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kernel/backend.h"
#include "lab/state.h"
#include "model/impairment.h"

namespace topo {

struct SetLinkRequest {
  std::string lab;  // "" : the one lab that has the node
  std::optional<std::string> prefix;
  std::string endpoint;  // "node:ifname", an end of one of the lab's links
  Impairment changes;    // the keys to set; the others keep their current values
  bool clear = false;    // start from no impairment instead of the current one
  bool both = false;     // change the other end of the link the same way
  // Called after each change is journaled, before the kernel is touched (a
  // test hook: cli/test_hooks.h); may be empty.
  std::function<void()> after_journal;
  // Checked once the lab's lock is held, before anything is journaled (the
  // wait for the lock ends on a signal topo catches: state.h); a change that
  // has begun finishes.
  const std::atomic<bool>* cancel = nullptr;
};

struct LinkEndChange {
  std::string ns, node, ifname;
  Impairment before, after;
};

struct SetLinkResult {
  std::string lab;
  std::vector<LinkEndChange> changes;
  std::vector<std::string> warnings;  // "client:vethC: jitter 20ms is larger than the delay 10ms"
};

// InvalidArgument for a malformed endpoint or values that do not go together
// (nothing changed); NotFound for an unknown lab, node or interface; IOError
// when the kernel refused (the previous impairments are back).
Status SetLink(const SetLinkRequest& request, Backend& backend, StateStore& store,
               SetLinkResult* out);

}  // namespace topo
