# -DSEEDGATE_SANITIZE=address,undefined  or  -DSEEDGATE_SANITIZE=thread
# instruments everything this tree compiles (server, emulator, client, tests)
# and links the sanitizer runtime into every executable. Used by
# scripts/test-sanitizers.sh in separate build trees (build-asan/, build-tsan/);
# the sanitizer runtime options and suppressions are in tests/sanitizers/.
#
# The Debian libraries we link (gRPC, protobuf, Abseil, libcurl, OpenSSL) are
# not instrumented. That costs ASan/UBSan nothing but coverage inside them;
# ThreadSanitizer cannot see their synchronisation (tests/sanitizers/tsan.supp
# says how that is handled).
set(SEEDGATE_SANITIZE "" CACHE STRING
    "Sanitizers to build with: empty, 'address,undefined' or 'thread'")

if(SEEDGATE_SANITIZE)
  if(SEEDGATE_SANITIZE MATCHES "thread" AND SEEDGATE_SANITIZE MATCHES "address")
    message(FATAL_ERROR "SEEDGATE_SANITIZE: ThreadSanitizer cannot be combined with "
                        "AddressSanitizer; build them in separate trees")
  endif()
  if(SEEDGATE_FUZZ)
    message(FATAL_ERROR "SEEDGATE_SANITIZE and SEEDGATE_FUZZ are separate builds "
                        "(tests/fuzz/run_fuzzers.sh sets its own flags)")
  endif()
  # Frame pointers and debug info: whole stacks in every report.
  add_compile_options(-fsanitize=${SEEDGATE_SANITIZE} -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=${SEEDGATE_SANITIZE})
  if(SEEDGATE_SANITIZE MATCHES "undefined")
    # Any undefined behaviour aborts the test that hit it, instead of a
    # message in a log nobody reads.
    add_compile_options(-fno-sanitize-recover=all)
    add_link_options(-fno-sanitize-recover=all)
  endif()
  if(SEEDGATE_SANITIZE MATCHES "thread")
    # Makes Debian's absl::Mutex (ours and gRPC's) visible to TSan; linked
    # into the test executables (tests/CMakeLists.txt). Why: the file's header.
    add_library(seedgate_tsan_absl_mutex OBJECT
                ${PROJECT_SOURCE_DIR}/tests/sanitizers/tsan_absl_mutex.cc)
    target_include_directories(seedgate_tsan_absl_mutex PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_libraries(seedgate_tsan_absl_mutex PUBLIC absl::synchronization ${CMAKE_DL_LIBS})
    seedgate_strict_warnings(seedgate_tsan_absl_mutex)
  endif()
  message(STATUS "seedgate: sanitizers: ${SEEDGATE_SANITIZE}")
endif()
