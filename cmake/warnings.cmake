# candor_warnings: the warning set every target of ours carries (house style H11).
add_library(candor_warnings INTERFACE)
target_compile_options(candor_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wimplicit-fallthrough -Wformat=2 -Wmissing-declarations -Wvla)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  target_compile_options(candor_warnings INTERFACE -Wthread-safety)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports std::variant members moved out of a Result as maybe-uninitialized at -O2
  # (a known false positive of its middle end); clang, which CI builds with, checks the same
  # code without it.
  target_compile_options(candor_warnings INTERFACE -Wno-maybe-uninitialized)
endif()
if(CANDOR_WERROR)
  target_compile_options(candor_warnings INTERFACE -Werror)
endif()
