# One CMake library per folder of src/ (a layer), with the include rules of
# src/layers.txt enforced by the compiler: each layer compiles with an include
# directory of its own, build/layers/LAYER/, that holds links to its own folder
# and to the folders it may include, and nothing else. An include that reaches
# up or sideways therefore fails to build.
#
#   topo_layer(NAME SOURCES file... [INCLUDES dir...])
#
# makes the OBJECT library topo_NAME. The installed libtopo.a (topo_core) is
# made of every layer's objects but the CLI's.

file(STRINGS ${CMAKE_SOURCE_DIR}/src/layers.txt _topo_layer_lines REGEX "^[a-z]+:")
foreach(_line IN LISTS _topo_layer_lines)
  string(REGEX REPLACE "#.*$" "" _line "${_line}")
  string(REGEX MATCH "^([a-z]+):(.*)$" _ "${_line}")
  set(_name ${CMAKE_MATCH_1})
  string(STRIP "${CMAKE_MATCH_2}" _deps)
  separate_arguments(_deps)
  set(TOPO_LAYER_DEPS_${_name} ${_deps})
  list(APPEND TOPO_LAYERS ${_name})
endforeach()

function(topo_layer name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES;INCLUDES")
  if(NOT name IN_LIST TOPO_LAYERS)
    message(FATAL_ERROR "layer '${name}' is not declared in src/layers.txt")
  endif()
  set(dir ${CMAKE_BINARY_DIR}/layers/${name})
  file(REMOVE_RECURSE ${dir})
  file(MAKE_DIRECTORY ${dir})
  foreach(visible IN ITEMS ${name} ${TOPO_LAYER_DEPS_${name}})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${visible} ${dir}/${visible} SYMBOLIC)
  endforeach()
  add_library(topo_${name} OBJECT ${ARG_SOURCES})
  target_include_directories(topo_${name} PRIVATE ${dir} ${ARG_INCLUDES})
  target_compile_options(topo_${name} PRIVATE ${TOPO_WARNINGS})
  # Third-party headers for every layer; which layer may use which library is
  # a matter of review, not of include paths.
  target_link_libraries(topo_${name} PRIVATE yaml-cpp nlohmann_json::nlohmann_json
                        PkgConfig::LIBNL Threads::Threads)
endfunction()
