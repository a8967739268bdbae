// Per-namespace configuration files, as `ip netns exec` uses them: a file
// /etc/netns/NS/NAME is bind-mounted over /etc/NAME for commands run in the
// namespace NS (hosts, resolv.conf).
//
// Promises: files are written atomically (a temporary file, then a link that
// never replaces an existing file), with mode 0644, in directories of mode
// 0755; no path component topo creates or removes is followed if it is a
// symlink. Temporary files are named .NAME.topo-PID-N beside NAME, so that
// what a write killed halfway leaves is found again: removal deletes them,
// and a later write deletes those of processes that are gone. Removal deletes
// only the named file and its temporaries, then only the directories the note
// of the write says it created, and only when they are empty. Nothing here
// prints; errors carry the path and the system's text.
#pragma once

#include <string>
#include <vector>

#include "model/etc_netns.h"
#include "model/status.h"

namespace topo {

// Writes <etc_dir>/NS/NAME with `content`, or, when `link_from_ns` is not
// empty, makes it a hard link to <etc_dir>/LINK_FROM_NS/NAME. Creates
// <etc_dir> and <etc_dir>/NS as needed; a directory that held nothing but a
// dead write's temporaries counts as made. AlreadyExists when the file exists
// (a file topo did not write is never replaced). *note receives what
// RemoveEtcFile needs to know (which directories were created); it is never
// empty on success. On failure nothing is left behind.
Status WriteEtcFile(const std::string& ns, const std::string& name, const std::string& content,
                    const std::string& link_from_ns, std::string* note,
                    const std::string& etc_dir = kEtcNetnsDir);

// Removes <etc_dir>/NS/NAME (NotFound when it is not there) and every
// temporary file of a write of it (.NAME.topo-*), then each
// directory the write's `note` says it created, if empty. With an empty note
// (the write may or may not have happened) <etc_dir>/NS is removed if empty.
Status RemoveEtcFile(const std::string& ns, const std::string& name, const std::string& note,
                     const std::string& etc_dir = kEtcNetnsDir);

// One file for RemoveEtcFiles: what RemoveEtcFile takes.
struct EtcFileRemoval {
  std::string ns, name, note;
};

// Removes many files as RemoveEtcFile removes each, a directory at a time:
// <etc_dir> is opened once, and each <etc_dir>/NS once; its files are
// unlinked, then the directory itself if a note says a write made it (an
// unknown note counts) and it is empty now. Only a directory that is not
// empty then (or was not made) is read, for the temporaries of its files,
// and removed again if made. <etc_dir> goes last, likewise. O(files): no
// per-file path walk, and the usual directory costs an open, an unlink per
// file and an rmdir. One status per file, in order (NotFound for a file not
// there).
std::vector<Status> RemoveEtcFiles(const std::vector<EtcFileRemoval>& files,
                                   const std::string& etc_dir = kEtcNetnsDir);

}  // namespace topo
