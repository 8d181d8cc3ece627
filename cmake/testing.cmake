# sellerbridge_test(NAME SOURCES a_test.cc ... LIBS sellerbridge::x ... [LABELS l ...])
# builds one GoogleTest binary and registers each of its tests with CTest, so that
# `ctest -j` runs them in parallel.
function(sellerbridge_test name)
  if(NOT SELLERBRIDGE_TESTS)
    return()
  endif()
  cmake_parse_arguments(arg "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_LIBS} GTest::gmock GTest::gtest_main
                                        sellerbridge::warnings)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(${name} PRIVATE
    SELLERBRIDGE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    SELLERBRIDGE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(arg_LABELS)
    gtest_discover_tests(${name}
                         PROPERTIES LABELS "${arg_LABELS}" TIMEOUT 300)
  else()
    gtest_discover_tests(${name} PROPERTIES TIMEOUT 300)
  endif()
endfunction()
