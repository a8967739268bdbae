// Test-only hooks of the command line, gathered here so that the production
// path reads none of them itself. They are read from the environment once, by
// InstallTestHooks, and do nothing unless their variable is set:
//
//   TOPO_TEST_STOP_AFTER=N   `up` (and `test`, `run`) stops the process with
//                            SIGSTOP after N completed actions, so the crash
//                            tests can SIGKILL it at an exact point.
//   TOPO_TEST_STOP_DOWN_AFTER=N  the same for a teardown (`down`, and the one
//                            ending `test` and `run`): after N inverse
//                            actions performed.
//   TOPO_TEST_STOP_SET_LINK=1  `set-link` stops once its change is journaled,
//                            before the kernel is touched.
//   TOPO_TEST_WRAP_PROGRAMS=PATH  `up`, `test`, `run` and `down` start every
//                            program they run themselves (iptables-restore) as
//                            PATH PROGRAM ARGS... (kernel/children.h), so a test
//                            can have one outlive a killed topo.
//
// Not for users: README.md names them under "Tests" only.
#pragma once

#include "lab/lab.h"
#include "lab/observer.h"
#include "lab/session.h"
#include "lab/set_link.h"

namespace topo::cli {

// Adds the hooks the environment asks for to `options`: its observer is
// wrapped by one that passes each event on, then acts.
void InstallTestHooks(BringUpOptions* options);
void InstallTestHooks(DownOptions* options);
void InstallTestHooks(SetLinkRequest* request);

}  // namespace topo::cli
