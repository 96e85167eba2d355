# Precompiled headers: the third-party headers most sources include (the standard library's, Boost.Asio's
# coroutine parts, Boost.JSON, spdlog and, for the tests, GoogleTest) are parsed once per build tree
# instead of once per source file. Two precompiled headers serve every target: one for the product, one
# (with GoogleTest) for everything under tests/. Beast, TLS and websocket headers stay out: few sources
# include them, and a bigger precompiled header slows every source that loads it.
#
# The precompiled header is only used where the macros it was built with are defined the same way
# (g++ checks; -Winvalid-pch with -Werror fails the build otherwise), so every target gets the compile
# flags of the libraries whose headers are precompiled, whether it links them or not.
#
# On by default in the sanitizer trees only, where they save about a tenth of each source's compile
# time (instrumenting the coroutines is the rest). Optimised (-O2) they would save a sixth, but g++ 12
# then warns about libstdc++'s own inlined code (a bogus -Warray-bounds in std::string's operator+ in
# adapters/sandbox/sandbox_store.cpp): code from a precompiled header no longer counts as a system
# header's. The sanitizer trees compile at -O0, where those warnings do not run.
if(COLLAB_SANITIZE)
  set(precompiled_by_default ON)
else()
  set(precompiled_by_default OFF)
endif()
option(COLLAB_PRECOMPILED_HEADERS "Parse the heavy third-party headers once per build tree (precompiled headers)"
       ${precompiled_by_default})

# ccache reuses what was built with a precompiled header only when told to trust the header's macros
# and its fresh timestamp (CI runs without ccache).
if(COLLAB_PRECOMPILED_HEADERS AND CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache$")
  set(CMAKE_CXX_COMPILER_LAUNCHER env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
                                  ${CMAKE_CXX_COMPILER_LAUNCHER})
endif()

set(COLLAB_PRECOMPILED_PRODUCT_HEADERS
  <algorithm> <chrono> <expected> <functional> <map> <memory> <optional> <string> <string_view> <vector>
  <boost/asio/any_io_executor.hpp> <boost/asio/as_tuple.hpp> <boost/asio/awaitable.hpp>
  <boost/asio/co_spawn.hpp> <boost/asio/detached.hpp> <boost/asio/io_context.hpp> <boost/asio/post.hpp>
  <boost/asio/steady_timer.hpp> <boost/asio/this_coro.hpp> <boost/asio/use_awaitable.hpp>
  <boost/json.hpp> <spdlog/logger.h>)
set(COLLAB_PRECOMPILED_TEST_HEADERS ${COLLAB_PRECOMPILED_PRODUCT_HEADERS} <gtest/gtest.h>)

# Every target defined in `directory` and below it.
function(collab_targets_below directory out)
  get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirectories DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
  foreach(subdirectory IN LISTS subdirectories)
    collab_targets_below(${subdirectory} below)
    list(APPEND targets ${below})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# The compile flags (definitions and options) that using `libraries` brings, for a target that does
# not link them but must see their headers as the precompiled header saw them.
function(collab_usage_flags out)
  set(flags "")
  foreach(library IN LISTS ARGN)
    get_target_property(definitions ${library} INTERFACE_COMPILE_DEFINITIONS)
    foreach(definition IN LISTS definitions)
      if(definition)
        list(APPEND flags -D${definition})
      endif()
    endforeach()
    get_target_property(options ${library} INTERFACE_COMPILE_OPTIONS)
    if(options)
      list(APPEND flags ${options})
    endif()
  endforeach()
  set(${out} ${flags} PARENT_SCOPE)
endfunction()

# Gives every C++ library and executable of the build one of the two precompiled headers. Called once,
# at the end of the top-level CMakeLists.txt, after every target is defined.
function(collab_use_precompiled_headers)
  if(NOT COLLAB_PRECOMPILED_HEADERS)
    return()
  endif()
  find_package(fmt REQUIRED)  # its target is imported in the directories that use it, not here
  collab_usage_flags(product_flags collab_spdlog fmt::fmt)
  set(test_flags ${product_flags})
  if(COLLAB_BUILD_TESTS)
    find_package(GTest REQUIRED)
    collab_usage_flags(gtest_flags GTest::gtest)
    list(APPEND test_flags ${gtest_flags})
  endif()

  # The owners build nothing but the precompiled header (CMake needs a source to build it beside); the
  # other targets reuse it.
  set(empty_source ${PROJECT_BINARY_DIR}/collab_precompiled.cpp)
  file(CONFIGURE OUTPUT ${empty_source} CONTENT "// Only for the precompiled header built beside it.\n")
  add_library(collab_precompiled OBJECT ${empty_source})
  target_precompile_headers(collab_precompiled PRIVATE ${COLLAB_PRECOMPILED_PRODUCT_HEADERS})
  target_compile_options(collab_precompiled PRIVATE ${product_flags})
  if(COLLAB_BUILD_TESTS)
    add_library(collab_precompiled_tests OBJECT ${empty_source})
    target_precompile_headers(collab_precompiled_tests PRIVATE ${COLLAB_PRECOMPILED_TEST_HEADERS})
    target_compile_options(collab_precompiled_tests PRIVATE ${test_flags})
  endif()

  collab_targets_below(${PROJECT_SOURCE_DIR} targets)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    # Modules and shared libraries (the benchmark's preloaded allocation counter) are compiled
    # position-independent, which the precompiled headers are not.
    if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|OBJECT_LIBRARY)$"
       OR target MATCHES "^collab_precompiled(_tests)?$")
      continue()
    endif()
    get_target_property(source_dir ${target} SOURCE_DIR)
    if(COLLAB_BUILD_TESTS AND source_dir MATCHES "^${PROJECT_SOURCE_DIR}/tests(/|$)")
      target_compile_options(${target} PRIVATE ${test_flags})
      target_precompile_headers(${target} REUSE_FROM collab_precompiled_tests)
    else()
      target_compile_options(${target} PRIVATE ${product_flags})
      target_precompile_headers(${target} REUSE_FROM collab_precompiled)
    endif()
  endforeach()
endfunction()
