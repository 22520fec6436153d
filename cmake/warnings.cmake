# candor_warnings: the warning set every target of ours carries (house style H11).
add_library(candor_warnings INTERFACE)
target_compile_options(candor_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wimplicit-fallthrough -Wformat=2 -Wmissing-declarations -Wvla)
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  target_compile_options(candor_warnings INTERFACE -Wthread-safety)
endif()
if(CANDOR_WERROR)
  target_compile_options(candor_warnings INTERFACE -Werror)
endif()
