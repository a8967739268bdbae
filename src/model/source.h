// Source: where an element of a topology was written (its position and JSON
// pointer), so that every later stage can still point at the file.
#pragma once

#include <string>

#include "model/diagnostic.h"

namespace topo {

// Where an element was written: its position and its JSON pointer.
struct Source {
  Location loc;
  std::string pointer;
};

}  // namespace topo
