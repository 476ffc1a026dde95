# SPDX-License-Identifier: MIT
# CPack builds a .deb that installs the program, its chart module (MODULE_DIR: loaded at run time, relative to the
# program), its desktop file, metainfo and icon, and depends on what the program and the module link.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND cpack -G DEB -B ${WORK} --config ${BINARY_DIR}/CPackConfig.cmake
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cpack failed (${rc}): ${out} ${err}")
endif()
file(GLOB debs ${WORK}/*.deb)
list(LENGTH debs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one .deb in ${WORK}, found ${n}: ${out}")
endif()
execute_process(COMMAND dpkg-deb -c ${debs} OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
foreach(path usr/bin/petforce-console usr/${MODULE_DIR}/libpetforce-chartplot.so
        usr/share/applications/app.petforce.OpsConsole.desktop
        usr/share/metainfo/app.petforce.OpsConsole.metainfo.xml
        usr/share/icons/hicolor/scalable/apps/app.petforce.OpsConsole.svg)
  string(FIND "${listing}" "./${path}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${path} missing from the package:\n${listing}")
  endif()
endforeach()
execute_process(COMMAND dpkg-deb -f ${debs} Depends OUTPUT_VARIABLE depends)
if(NOT depends MATCHES "libqt6")
  message(FATAL_ERROR "the package does not depend on Qt: '${depends}'")
endif()
if(NOT depends MATCHES "libqt6charts6")
  message(FATAL_ERROR "the package does not depend on libqt6charts6, which its chart module links: '${depends}'")
endif()
if(NOT depends MATCHES "libpq5")
  message(FATAL_ERROR "the package does not depend on libpq5, which the console loads at run time: '${depends}'")
endif()
