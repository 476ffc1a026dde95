# SPDX-License-Identifier: MIT
# The real executable starts, paints its window and exits cleanly (main.cpp: the start-up warm-up thread is
# joined before the application goes), offscreen, on a new store in a private folder.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
foreach(run first second) # the second run opens the store and the layout the first one saved
  execute_process(COMMAND ${CMAKE_COMMAND} -E env PETFORCE_BENCH_PAINT_MARKER=1 QT_QPA_PLATFORM=offscreen
                          XDG_DATA_HOME=${WORK}/data XDG_CONFIG_HOME=${WORK}/config XDG_STATE_HOME=${WORK}/state
                          XDG_CACHE_HOME=${WORK}/cache ${CONSOLE} --store ${WORK}/incidents.sqlite
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "PAINTED")
    message(FATAL_ERROR "the ${run} start did not paint and exit cleanly (${rc}): ${out} ${err}")
  endif()
endforeach()
if(NOT EXISTS ${WORK}/incidents.sqlite)
  message(FATAL_ERROR "no store was created at ${WORK}/incidents.sqlite")
endif()
