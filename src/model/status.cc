#include "model/status.h"

#include <cerrno>
#include <cstring>

namespace topo {

Status Status::FromErrno(const std::string& what, int err) {
  std::string msg = what.empty() ? std::strerror(err) : what + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENODEV:
    case ESRCH:
    case EADDRNOTAVAIL:
      return Status(Code::kNotFound, std::move(msg), err);
    case EEXIST:
      return Status(Code::kAlreadyExists, std::move(msg), err);
    case EINTR:
      return Status(Code::kInterrupted, std::move(msg), err);
    default:
      return Status(Code::kIOError, std::move(msg), err);
  }
}

}  // namespace topo
