# SPDX-License-Identifier: MIT
# CPack builds a .deb that installs the program, its chart module (MODULE_DIR: loaded at run time, relative to the
# program), its desktop file, metainfo and icon, and depends on what the program and the module link and load (libpq,
# the SQLite driver); it recommends the command-line tools the runbooks run.
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
# require(FIELD PACKAGE WHY): the control field FIELD (Depends, Recommends) names PACKAGE.
function(require field package why)
  execute_process(COMMAND dpkg-deb -f ${debs} ${field} OUTPUT_VARIABLE value)
  if(NOT value MATCHES "(^|[ ,])${package}([ ,(]|\n|$)")
    message(FATAL_ERROR "the package's ${field} lacks ${package}, ${why}: '${value}'")
  endif()
endfunction()
require(Depends libqt6core6 "Qt")
require(Depends libqt6charts6 "which its chart module links")
require(Depends libpq5 "which the console loads at run time")
require(Depends libqt6sql6-sqlite "the store's Qt SQL driver")
foreach(package awscli postgresql-client redis-tools fonts-noto-color-emoji)
  require(Recommends ${package} "which the runbooks or templates need")
endforeach()
