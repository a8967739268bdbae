// WriteOutputFile writes a file the user named on the command line (`topo test
// --junit FILE`, `topo graph -o FILE`) without trusting what is at that path:
// topo runs as root, and the path may be in a shared directory such as /tmp.
//
// The contract:
//  - nothing at `path` is touched before the whole content is known (callers
//    call this once, at the end), and nothing is touched at all on failure;
//  - the final component is never followed: a symbolic link there is refused
//    (neither the link nor its target changes), as is anything but a regular
//    file (a directory, a FIFO, a device);
//  - the content goes to a new temporary file in the same directory
//    (O_CREAT | O_EXCL | O_NOFOLLOW, mode 0666 minus the umask), which is then
//    renamed over `path`: readers see the old file or the new one, never a
//    truncated one, and the temporary file is removed if anything fails.
#pragma once

#include <string>
#include <string_view>

#include "model/status.h"

namespace topo {

Status WriteOutputFile(const std::string& path, std::string_view content);

// The checks WriteOutputFile makes before writing (the directory opens, the
// final component is absent or a regular file), touching nothing: for a verb
// to refuse a bad path before it spends work (`topo test` brings a lab up).
Status CheckOutputFile(const std::string& path);

}  // namespace topo
