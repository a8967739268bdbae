// The one way tests make a temporary directory: TempDir creates a fresh
// private directory under /tmp (mode 0700, mkdtemp) and removes it with
// everything inside when it goes out of scope (giving the owner back the
// rights a test may have taken from it first). ScopedStateDir points
// TOPO_STATE_DIR at a directory for its lifetime and restores the previous
// value (or its absence) afterwards; PrivateStateDir is both at once. The
// integration fixtures pass their directory to the `topo` processes they start
// through StateEnv().
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace topo::testing {

class TempDir {
 public:
  // `stem` names the directory: /tmp/STEM-XXXXXX. path() is empty if mkdtemp failed.
  explicit TempDir(const std::string& stem = "topo-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  // PATH/relative.
  std::string operator/(const std::string& relative) const { return path_ + "/" + relative; }

 private:
  std::string path_;
};

// The environment entry giving `topo` the state directory `dir`.
std::vector<std::string> StateEnv(const std::string& dir);

// Sets TOPO_STATE_DIR in this process for its lifetime.
class ScopedStateDir {
 public:
  explicit ScopedStateDir(const std::string& dir);
  ~ScopedStateDir();
  ScopedStateDir(const ScopedStateDir&) = delete;
  ScopedStateDir& operator=(const ScopedStateDir&) = delete;

 private:
  std::optional<std::string> old_;
};

// A TempDir that is this process's TOPO_STATE_DIR for its lifetime.
class PrivateStateDir {
 public:
  PrivateStateDir() : dir_("topo-state"), env_(dir_.path()) {}
  const std::string& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  ScopedStateDir env_;
};

}  // namespace topo::testing
