# User programs: static x86-64 executables linked against Debian's musl C library
# (DESIGN "The C library of user programs"), built with the system compilers.
#   ipclab_user_library(NAME SOURCES...)                 a static library for user programs
#   ipclab_user_program(NAME SOURCES... [LIBRARIES ...]) a task image in ${CMAKE_BINARY_DIR}/user
# The lists below are also what `scripts/ipclab mpicc` compiles with (cmake/MpiWrapper.cmake).
set(IPCLAB_MUSL_INCLUDE /usr/include/x86_64-linux-musl)
set(IPCLAB_MUSL_SPECS /usr/lib/x86_64-linux-musl/musl-gcc.specs)
if(NOT EXISTS ${IPCLAB_MUSL_SPECS})
  message(FATAL_ERROR "musl is missing: install Debian's musl-dev and musl-tools "
                      "(scripts/ipclab build installs them)")
endif()
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
                OUTPUT_VARIABLE IPCLAB_GCC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)

set(IPCLAB_USER_DIR ${CMAKE_BINARY_DIR}/user)

# What makes a program one for ipclab: musl's headers instead of glibc's, no PIE, no stack
# protector (no TLS canary), C++ without exceptions, RTTI or guarded statics.
set(IPCLAB_USER_SYSTEM_INCLUDES ${IPCLAB_MUSL_INCLUDE} ${IPCLAB_GCC_INCLUDE})
set(IPCLAB_USER_COMPILE_OPTIONS -nostdinc -fno-pie -fno-stack-protector -O2)
set(IPCLAB_USER_CXX_OPTIONS -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit)
set(IPCLAB_USER_LINK_OPTIONS -specs=${IPCLAB_MUSL_SPECS} -static -no-pie)
# The project's own sources also hold themselves to this; programs built with mpicc do not.
set(IPCLAB_USER_WARNINGS -Wall -Wextra -Werror)

function(ipclab_user_flags target)
  # SHELL: keeps each "-isystem DIR" pair whole (CMake would merge repeated -isystem words),
  # and options, unlike include directories, are not dropped when DIR is a compiler default.
  list(TRANSFORM IPCLAB_USER_SYSTEM_INCLUDES PREPEND "SHELL:-isystem " OUTPUT_VARIABLE system_includes)
  target_compile_options(${target} PRIVATE ${system_includes} ${IPCLAB_USER_COMPILE_OPTIONS}
    ${IPCLAB_USER_WARNINGS} "$<$<COMPILE_LANGUAGE:CXX>:${IPCLAB_USER_CXX_OPTIONS}>")
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
  target_link_options(${name} PRIVATE ${IPCLAB_USER_LINK_OPTIONS})
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE C RUNTIME_OUTPUT_DIRECTORY ${IPCLAB_USER_DIR})
endfunction()
