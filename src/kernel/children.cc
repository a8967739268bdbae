#include "kernel/children.h"

namespace topo {
namespace {

thread_local ChildRecorder* current_recorder = nullptr;

std::string& Wrapper() {
  static std::string wrapper;
  return wrapper;
}

}  // namespace

ScopedChildRecorder::ScopedChildRecorder(ChildRecorder* recorder) : previous_(current_recorder) {
  current_recorder = recorder;
}

ScopedChildRecorder::~ScopedChildRecorder() { current_recorder = previous_; }

ChildRecorder* CurrentChildRecorder() { return current_recorder; }

void SetProgramWrapperForTests(const std::string& wrapper) { Wrapper() = wrapper; }

const std::string& ProgramWrapperForTests() { return Wrapper(); }

}  // namespace topo
