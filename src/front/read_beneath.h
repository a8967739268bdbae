// Reading a file that a topology names next to itself (a node file's `from:`),
// safely: the path is relative to the topology's directory and may not leave
// it, neither by `..` nor through a symbolic link. Each component is opened
// with O_NOFOLLOW below the previous one (the equivalent of openat2's
// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, which older kernels lack), so no
// component is followed through a link, even one swapped in while reading.
#pragma once

#include <cstddef>
#include <string>

namespace topo {

// Why `relative` is not a path ReadBeneath accepts ("" when it is): it must
// be non-empty, relative, and made of plain names (no "", "." or "..").
std::string RelativePathProblem(const std::string& relative);

// Reads `relative` below directory `dir` into *out: a regular file of at most
// `max_bytes`. Returns "" or why not, as a phrase ("it is a symbolic link").
std::string ReadBeneath(const std::string& dir, const std::string& relative, size_t max_bytes,
                        std::string* out);

}  // namespace topo
