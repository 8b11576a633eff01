# User programs: static x86-64 executables linked against Debian's musl C library
# (DESIGN "The C library of user programs"), built with the system compilers.
#   ipclab_user_library(NAME SOURCES...)                 a static library for user programs
#   ipclab_user_program(NAME SOURCES... [LIBRARIES ...]) a task image in ${CMAKE_BINARY_DIR}/user
set(IPCLAB_MUSL_INCLUDE /usr/include/x86_64-linux-musl)
set(IPCLAB_MUSL_SPECS /usr/lib/x86_64-linux-musl/musl-gcc.specs)
if(NOT EXISTS ${IPCLAB_MUSL_SPECS})
  message(FATAL_ERROR "musl is missing: install Debian's musl-dev and musl-tools "
                      "(scripts/ipclab build installs them)")
endif()
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                OUTPUT_VARIABLE IPCLAB_GCC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)

set(IPCLAB_USER_DIR ${CMAKE_BINARY_DIR}/user)

function(ipclab_user_flags target)
  target_compile_options(${target} PRIVATE
    -nostdinc "SHELL:-isystem ${IPCLAB_MUSL_INCLUDE}" "SHELL:-isystem ${IPCLAB_GCC_INCLUDE}"
    -fno-pie -fno-stack-protector -O2 -Wall -Wextra -Werror
    $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit>)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
endfunction()

function(ipclab_user_library name)
  add_library(${name} STATIC ${ARGN})
  ipclab_user_flags(${name})
endfunction()

function(ipclab_user_program name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_executable(${name} ${P_SOURCES})
  ipclab_user_flags(${name})
  target_link_libraries(${name} PRIVATE ${P_LIBRARIES})
  target_link_options(${name} PRIVATE -specs=${IPCLAB_MUSL_SPECS} -static -no-pie)
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE C RUNTIME_OUTPUT_DIRECTORY ${IPCLAB_USER_DIR})
endfunction()
