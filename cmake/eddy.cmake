# Helpers shared by every folder's CMakeLists.txt.

# eddy_library(NAME DEPS...) — one static library per folder, built from every
# .c file in the folder, so adding a file needs no CMake edit.
function(eddy_library name)
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.c)
  if(NOT _srcs)
    set(_srcs ${CMAKE_SOURCE_DIR}/cmake/empty.c)
  endif()
  add_library(${name} STATIC ${_srcs} ${ARGN_EXTRA_SRCS})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  if(ARGN)
    target_link_libraries(${name} PUBLIC ${ARGN})
  endif()
endfunction()
