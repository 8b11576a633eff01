# The MPI compiler wrapper's description: ${CMAKE_BINARY_DIR}/mpicc.json, written at generate
# time, tells `scripts/ipclab mpicc` how the project's own user programs are compiled and
# linked (cmake/UserProgram.cmake) so the wrapper never repeats a flag. Included from the
# top-level CMakeLists.txt after the libraries are defined. Shape of the file:
#   {"c_compiler", "cxx_compiler", "linker": path,
#    "c_flags", "cxx_flags": [option...]          (build type, language standard, target options),
#    "system_include_directories", "include_directories", "definitions": [...],
#    "link_flags": [option...] (what linking adds to c_flags),
#    "libraries": [archive path or -lNAME...] (in link order),
#    "build_target": the target that brings the libraries up to date}
set(IPCLAB_MPI_LIBRARY ipclab_mpi)
set(IPCLAB_MPI_BUILD_TARGET ipclab_mpicc_libraries)

# The library and every library it links, depth first, each after all that use it.
function(_ipclab_link_closure target out)
  set(order ${target})
  get_target_property(deps ${target} INTERFACE_LINK_LIBRARIES)
  foreach(dep IN LISTS deps)
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" dep "${dep}")
    if(TARGET ${dep})
      _ipclab_link_closure(${dep} sub)
      list(APPEND order ${sub})
    elseif(dep)
      list(APPEND order ${dep})
    endif()
  endforeach()
  list(REVERSE order) # a library met twice stays at its last place
  list(REMOVE_DUPLICATES order)
  list(REVERSE order)
  set(${out} ${order} PARENT_SCOPE)
endfunction()

# A JSON array of the list `items`; items may be generator expressions.
function(_ipclab_json_array out)
  set(quoted "")
  foreach(item IN LISTS ARGN)
    string(REPLACE "\\" "\\\\" item "${item}")
    string(REPLACE "\"" "\\\"" item "${item}")
    list(APPEND quoted "\"${item}\"")
  endforeach()
  list(JOIN quoted ", " joined)
  set(${out} "[${joined}]" PARENT_SCOPE)
endfunction()

_ipclab_link_closure(${IPCLAB_MPI_LIBRARY} closure)
set(libraries "")
foreach(lib IN LISTS closure)
  if(TARGET ${lib})
    list(APPEND libraries "$<TARGET_FILE:${lib}>")
  else()
    list(APPEND libraries "-l${lib}")
  endif()
endforeach()
# The libraries hold C++ code and programs link with the C driver (LINKER_LANGUAGE C), so
# CMake adds the C++ run-time libraries the C driver does not bring: do the same.
set(cxx_runtime ${CMAKE_CXX_IMPLICIT_LINK_LIBRARIES})
list(REMOVE_ITEM cxx_runtime ${CMAKE_C_IMPLICIT_LINK_LIBRARIES})
list(TRANSFORM cxx_runtime PREPEND "-l")
list(APPEND libraries ${cxx_runtime})

string(TOUPPER "${CMAKE_BUILD_TYPE}" build_type)
foreach(lang C CXX)
  # The -std option CMake derives from CMAKE_<LANG>_STANDARD and CMAKE_<LANG>_EXTENSIONS.
  set(extensions ${CMAKE_${lang}_EXTENSIONS_DEFAULT})
  if(DEFINED CMAKE_${lang}_EXTENSIONS)
    set(extensions ${CMAKE_${lang}_EXTENSIONS})
  endif()
  set(kind STANDARD)
  if(extensions)
    set(kind EXTENSION)
  endif()
  separate_arguments(build_flags UNIX_COMMAND "${CMAKE_${lang}_FLAGS} ${CMAKE_${lang}_FLAGS_${build_type}}")
  set(flags_${lang} ${build_flags} ${IPCLAB_USER_COMPILE_OPTIONS}
      ${CMAKE_${lang}${CMAKE_${lang}_STANDARD}_${kind}_COMPILE_OPTION})
endforeach()
list(APPEND flags_CXX ${IPCLAB_USER_CXX_OPTIONS})
separate_arguments(exe_flags UNIX_COMMAND "${CMAKE_EXE_LINKER_FLAGS} ${CMAKE_EXE_LINKER_FLAGS_${build_type}}")
set(link_flags ${exe_flags} ${IPCLAB_USER_LINK_OPTIONS})

_ipclab_json_array(c_flags ${flags_C})
_ipclab_json_array(cxx_flags ${flags_CXX})
_ipclab_json_array(system_includes ${IPCLAB_USER_SYSTEM_INCLUDES})
_ipclab_json_array(link_flags ${link_flags})
_ipclab_json_array(libraries ${libraries})
# Transitive usage requirements of the library, as a consumer sees them.
set(includes "[\"${PROJECT_SOURCE_DIR}\", \"$<JOIN:$<TARGET_PROPERTY:${IPCLAB_MPI_LIBRARY},INTERFACE_INCLUDE_DIRECTORIES>,\"$<COMMA> \">\"]")
set(definitions "[\"$<JOIN:$<TARGET_PROPERTY:${IPCLAB_MPI_LIBRARY},INTERFACE_COMPILE_DEFINITIONS>,\"$<COMMA> \">\"]")

file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/mpicc.json CONTENT "{
 \"c_compiler\": \"${CMAKE_C_COMPILER}\",
 \"cxx_compiler\": \"${CMAKE_CXX_COMPILER}\",
 \"linker\": \"${CMAKE_C_COMPILER}\",
 \"c_flags\": ${c_flags},
 \"cxx_flags\": ${cxx_flags},
 \"system_include_directories\": ${system_includes},
 \"include_directories\": ${includes},
 \"definitions\": ${definitions},
 \"link_flags\": ${link_flags},
 \"libraries\": ${libraries},
 \"build_target\": \"${IPCLAB_MPI_BUILD_TARGET}\"
}
")
add_custom_target(${IPCLAB_MPI_BUILD_TARGET})
# The kernel too: a program built against the current system-call ABI must not boot an older
# kernel (mpicc brings this target up to date before it compiles).
add_dependencies(${IPCLAB_MPI_BUILD_TARGET} ipclab_kernel)
foreach(lib IN LISTS closure)
  if(TARGET ${lib})
    add_dependencies(${IPCLAB_MPI_BUILD_TARGET} ${lib})
  endif()
endforeach()
