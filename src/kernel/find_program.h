// FindProgram looks a program up as execvp would, without running anything:
// a name with a '/' is taken as it is, any other is searched for in $PATH
// (or, when PATH is unset, in /usr/local/bin, /usr/bin and /bin). Used where
// topo starts a program with an absolute argv[0] (RunInNamespace), never
// through a shell.
#pragma once

#include <optional>
#include <string>

namespace topo {

// The path of an executable file for `name`, or nullopt when there is none.
std::optional<std::string> FindProgram(const std::string& name);

}  // namespace topo
