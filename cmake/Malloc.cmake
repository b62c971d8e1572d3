# seedgate allocates on one thread and frees on another (a chunk is built on an
# upstream loop thread and freed on a gRPC thread once written) and makes many
# small allocations per streamed chunk. tcmalloc's per-thread caches do that
# for about 14% less CPU per chunk than glibc malloc (bench/RESULTS.md,
# "Fifth round"). The load generator and the emulator link it
# too, so that they take less of the machine they share with seedgate.
# gperftools' minimal build (libgoogle-perftools-dev): no profiler, no heap
# checker.
#
# -DSEEDGATE_MALLOC=system keeps glibc malloc. Sanitizer and fuzz builds always
# do: they bring their own allocator.
set(SEEDGATE_MALLOC "tcmalloc" CACHE STRING
    "Allocator seedgate, fake-upstream and seedgate-bench link: tcmalloc or system")
set_property(CACHE SEEDGATE_MALLOC PROPERTY STRINGS tcmalloc system)

set(seedgate_malloc_library "")
if(SEEDGATE_MALLOC STREQUAL "tcmalloc" AND NOT SEEDGATE_SANITIZE AND NOT SEEDGATE_FUZZ)
  find_library(SEEDGATE_TCMALLOC_LIBRARY NAMES tcmalloc_minimal)
  if(NOT SEEDGATE_TCMALLOC_LIBRARY)
    message(FATAL_ERROR "SEEDGATE_MALLOC=tcmalloc: libtcmalloc_minimal not found "
                        "(apt-get install libgoogle-perftools-dev, or -DSEEDGATE_MALLOC=system)")
  endif()
  set(seedgate_malloc_library ${SEEDGATE_TCMALLOC_LIBRARY})
elseif(NOT SEEDGATE_MALLOC MATCHES "^(tcmalloc|system)$")
  message(FATAL_ERROR "SEEDGATE_MALLOC must be tcmalloc or system, not '${SEEDGATE_MALLOC}'")
endif()

# Links the chosen allocator into an executable (nothing for `system`).
function(seedgate_link_malloc target)
  if(seedgate_malloc_library)
    target_link_libraries(${target} PRIVATE ${seedgate_malloc_library})
  endif()
endfunction()
