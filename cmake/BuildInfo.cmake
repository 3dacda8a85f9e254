# Run at every build (cmake -DSOURCE_DIR=… -DOUTPUT=… -P BuildInfo.cmake): the git commit the
# binary is built from, for `hotpod version`. The header is rewritten only when it changes, so
# an unchanged commit recompiles nothing. Without git (a docker build context), HOTPOD_GIT_COMMIT
# from the environment, else "unknown".
set(commit "$ENV{HOTPOD_GIT_COMMIT}")
if(commit STREQUAL "")
  execute_process(COMMAND git -C ${SOURCE_DIR} rev-parse --short=12 HEAD
                  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE status ERROR_QUIET)
  if(status EQUAL 0)
    execute_process(COMMAND git -C ${SOURCE_DIR} status --porcelain --untracked-files=no
                    OUTPUT_VARIABLE changes ERROR_QUIET)
    if(NOT changes STREQUAL "")
      string(APPEND commit "-dirty")
    endif()
  else()
    set(commit unknown)
  endif()
endif()
file(CONFIGURE OUTPUT ${OUTPUT} CONTENT "#pragma once\n#define HOTPOD_GIT_COMMIT \"${commit}\"\n")
