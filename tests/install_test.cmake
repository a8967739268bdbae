# Proves the installed package is usable on its own (ctest label `install`, no
# root): installs the build tree into a fresh prefix, checks what is there,
# then builds tests/consumer/ against it with find_package(topo) and runs its
# unprivileged tests, and builds a one-file program with pkg-config alone.
#
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -P install_test.cmake
foreach(var BUILD_DIR SOURCE_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_test.cmake needs -D${var}=...")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGV}")
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# What the package must hold; the headers are exactly the public ones.
file(GLOB libdirs LIST_DIRECTORIES true ${prefix}/lib ${prefix}/lib64 ${prefix}/lib/*-linux-gnu)
foreach(expected bin/topo include/topo/lab.h include/topo/testing.h
                 share/topo/schemas/topology.schema.json)
  if(NOT EXISTS ${prefix}/${expected})
    message(FATAL_ERROR "not installed: ${expected}")
  endif()
endforeach()
file(GLOB_RECURSE installed_headers RELATIVE ${prefix}/include ${prefix}/include/*)
if(NOT installed_headers STREQUAL "topo/lab.h;topo/testing.h")
  message(FATAL_ERROR "installed headers are '${installed_headers}', not the public two")
endif()
file(GLOB_RECURSE found RELATIVE ${prefix} ${prefix}/*libtopo.a ${prefix}/*topoConfig.cmake
     ${prefix}/*topoConfigVersion.cmake ${prefix}/*topo.pc)
list(LENGTH found n)
if(NOT n EQUAL 4)
  message(FATAL_ERROR "library, package config or pkg-config file missing: found '${found}'")
endif()

# A CMake project: find_package(topo COMPONENTS testing).
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/consumer
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=RelWithDebInfo
    -DTOPO_SEED_FILE=${SOURCE_DIR}/topologies/server-router-client.yaml)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer -j2)
run(${WORK_DIR}/consumer/consumer_tests --gtest_filter=Unprivileged*)
message("${run_output}")

# pkg-config alone, as a Makefile would use it.
file(GLOB_RECURSE pc_file ${prefix}/*/pkgconfig/topo.pc)
get_filename_component(pc_dir "${pc_file}" DIRECTORY)
set(ENV{PKG_CONFIG_PATH} ${pc_dir})
run(pkg-config --cflags --libs topo)
string(STRIP "${run_output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
find_program(CXX NAMES c++ g++ REQUIRED)
run(${CXX} -std=c++17 ${SOURCE_DIR}/tests/consumer/pkgconfig_main.cc ${flags}
    -o ${WORK_DIR}/pkgconfig_main)
run(${WORK_DIR}/pkgconfig_main ${SOURCE_DIR}/topologies/server-router-client.yaml)
if(NOT run_output STREQUAL "server\nrouter\nclient\n")
  message(FATAL_ERROR "pkg-config program printed '${run_output}'")
endif()
message("installed package OK: find_package(topo) and pkg-config topo")
