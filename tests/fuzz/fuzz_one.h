// One fuzz input through the whole front end and the compiler, with the
// properties every input must keep. Shared by the libFuzzer target
// (fuzz_main.cc, built with -DTOPO_FUZZ=ON) and the unit test that replays the
// checked-in corpus and every crash ever found (fuzz_corpus_test.cc), so a
// regression shows up in the ordinary test run.
//
// Properties, checked with abort() so libFuzzer records the input:
//  - load, validate, compile, every rendering of diagnostics and plans return
//    (no exception escapes, no sanitizer report);
//  - diagnostics carry no byte a terminal acts on, and their JSON is valid;
//  - a topology that validates compiles to a plan whose namespace and interface
//    names are all safe, whose JSON form round-trips, and which a recording
//    backend applies and tears down to nothing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace topo::fuzz {

void FuzzOne(const uint8_t* data, size_t size);

}  // namespace topo::fuzz
