// What sandbox.cc and holder.cc share, not part of the sandbox's interface.
#pragma once

#include <string>

namespace topo::sandbox {

// "cannot make a rootless sandbox (DETAIL): WHY AND THE FIX", where the
// reason comes from the machine's settings (user namespaces disabled,
// AppArmor, a container) or from `err`.
std::string ExplainRefusal(const std::string& detail, int err);

}  // namespace topo::sandbox
