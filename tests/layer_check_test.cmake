# The layer check (tools/layer-check) on this tree must pass, and on a copy of
# src/ with an upward include planted in model/ it must fail and name the line.
# Run by CTest: cmake -DSOURCE_DIR=... -DWORK_DIR=... -P layer_check_test.cmake
find_program(PYTHON3 python3 REQUIRED)
execute_process(COMMAND ${PYTHON3} ${SOURCE_DIR}/tools/layer-check --root ${SOURCE_DIR}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "layer-check fails on this tree:\n${out}${err}")
endif()

file(REMOVE_RECURSE ${WORK_DIR})
file(COPY ${SOURCE_DIR}/src DESTINATION ${WORK_DIR})
file(APPEND ${WORK_DIR}/src/model/status.h "\n#include \"cli/common.h\"\n")
execute_process(COMMAND ${PYTHON3} ${SOURCE_DIR}/tools/layer-check --root ${WORK_DIR} --quiet
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT out MATCHES "src/model/status.h:[0-9]+: 'model' may not include")
  message(FATAL_ERROR "layer-check let an upward include through (exit ${rc}):\n${out}${err}")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
message(STATUS "layer-check passes on the tree and catches an upward include")
