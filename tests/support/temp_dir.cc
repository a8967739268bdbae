#include "support/temp_dir.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

namespace topo::testing {

TempDir::TempDir(const std::string& stem) {
  std::string tmpl = "/tmp/" + stem + "-XXXXXX";
  if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;  // a test may have taken the owner's rights away
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

std::vector<std::string> StateEnv(const std::string& dir) { return {"TOPO_STATE_DIR=" + dir}; }

ScopedStateDir::ScopedStateDir(const std::string& dir) {
  if (const char* old = std::getenv("TOPO_STATE_DIR")) old_ = old;
  setenv("TOPO_STATE_DIR", dir.c_str(), 1);
}

ScopedStateDir::~ScopedStateDir() {
  if (old_) {
    setenv("TOPO_STATE_DIR", old_->c_str(), 1);
  } else {
    unsetenv("TOPO_STATE_DIR");
  }
}

}  // namespace topo::testing
