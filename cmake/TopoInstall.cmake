# What `cmake --install` puts under the prefix, and the packages that let other
# projects use it:
#
#   bin/topo                              the command (installed by the top-level file)
#   lib/libtopo.a                         the pipeline (topo::topo)
#   include/topo/lab.h, testing.h         the public headers (nothing from src/)
#   share/topo/schemas/                   the JSON Schema (installed by the top-level file)
#   lib/cmake/topo/topoConfig.cmake ...   find_package(topo): topo::topo, and topo::testing
#                                         when GoogleTest is found
#   lib/pkgconfig/topo.pc                 pkg-config --cflags --libs topo
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# topo::testing: the header-only GoogleTest fixture (topo/testing.h) on top of topo::topo.
find_package(GTest QUIET)
if(GTest_FOUND)
  add_library(topo_testing INTERFACE)
  add_library(topo::testing ALIAS topo_testing)
  set_target_properties(topo_testing PROPERTIES EXPORT_NAME testing)
  target_link_libraries(topo_testing INTERFACE topo_core GTest::gtest)
endif()

install(TARGETS topo_core EXPORT topoTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/topo DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(TOPO_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/topo)
install(EXPORT topoTargets NAMESPACE topo:: DESTINATION ${TOPO_CMAKE_DIR})
if(TARGET topo_testing)
  install(TARGETS topo_testing EXPORT topoTestingTargets)
  install(EXPORT topoTestingTargets NAMESPACE topo:: DESTINATION ${TOPO_CMAKE_DIR})
endif()

configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/topoConfig.cmake.in
  ${CMAKE_BINARY_DIR}/cmake/topoConfig.cmake INSTALL_DESTINATION ${TOPO_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/topoConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/topoConfig.cmake
              ${CMAKE_BINARY_DIR}/cmake/topoConfigVersion.cmake
        DESTINATION ${TOPO_CMAKE_DIR})

# topo.pc finds the prefix from its own place (${pcfiledir}), so the package
# works wherever `cmake --install --prefix` puts it.
file(RELATIVE_PATH TOPO_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_SOURCE_DIR}/cmake/topo.pc.in ${CMAKE_BINARY_DIR}/cmake/topo.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/cmake/topo.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
