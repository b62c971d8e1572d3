# Our own code compiles with warnings as errors; generated and third-party code
# does not (it is not ours to fix).
function(seedgate_strict_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-unused-parameter)
endfunction()
