# SPDX-License-Identifier: MIT
# --help and --version answer without a display (no QApplication before they are handled).
execute_process(COMMAND ${CONSOLE} --version RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^petforce-console [0-9]+\\.[0-9]+\\.[0-9]+")
  message(FATAL_ERROR "--version failed (${rc}): ${out} ${err}")
endif()
execute_process(COMMAND ${CONSOLE} --help RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "--store" OR NOT out MATCHES "--check-runbook")
  message(FATAL_ERROR "--help failed (${rc}): ${out} ${err}")
endif()
execute_process(COMMAND ${CONSOLE} --no-such-option RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "no-such-option")
  message(FATAL_ERROR "an unknown option was not refused (${rc}): ${out} ${err}")
endif()
