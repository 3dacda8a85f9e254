# hotpod_layer(NAME [DEPS layer…] [PUBLIC_LIBS target…] [PRIVATE_LIBS target…])
#
# One folder of agent/src is one static library, hotpod_NAME, that links only the layers it
# names (and, through them, theirs). Each layer gets an include root of its own that holds only
# its folder, so `#include "loop/dev_loop.h"` from a layer that does not depend on loop/ fails
# to compile: the folder is simply not there. scripts/check-layers.py reads these calls too.
function(hotpod_layer name)
  cmake_parse_arguments(LAYER "" "" "DEPS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  set(folder ${CMAKE_CURRENT_SOURCE_DIR}/${name})
  file(GLOB sources CONFIGURE_DEPENDS ${folder}/*.cpp)
  add_library(hotpod_${name} STATIC ${sources})
  set(root ${CMAKE_BINARY_DIR}/layers/${name})
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${folder} ${root}/${name} SYMBOLIC)
  target_include_directories(hotpod_${name} PUBLIC ${root})
  foreach(dep IN LISTS LAYER_DEPS)
    target_link_libraries(hotpod_${name} PUBLIC hotpod_${dep})
  endforeach()
  target_link_libraries(hotpod_${name} PUBLIC ${LAYER_PUBLIC_LIBS} PRIVATE ${LAYER_PRIVATE_LIBS})
endfunction()
