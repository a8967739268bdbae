// `--prefix auto`: a short random prefix ("t3k9x-") that no namespace and no
// lab on the machine starts with, so parallel CI jobs running the same lab
// never collide. Picking is a guess checked against what exists now; `up`
// still refuses (under its lock) a name that another process took in the
// meantime, and the command line then picks again.
#pragma once

#include <optional>
#include <string>

#include "kernel/netns.h"
#include "lab/state.h"
#include "topo/lab.h"  // kAutoPrefix: the library's word for "pick one" is the CLI's too

namespace topo {

bool IsAutoPrefix(const std::optional<std::string>& prefix);

// "t" + four random characters from [a-z0-9] + "-".
std::string RandomPrefix();

// Whether no entry of `netns_dir` and no lab of `store` starts with `prefix`.
bool PrefixIsFree(const std::string& prefix, const StateStore& store,
                  const std::string& netns_dir = kDefaultNetnsDir);

// A random prefix that is free now (a few tries, then the last one drawn: with
// 36^4 choices a clash is all but impossible).
std::string PickPrefix(const StateStore& store, const std::string& netns_dir = kDefaultNetnsDir);

}  // namespace topo
