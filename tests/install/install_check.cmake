# `cmake --install` into a scratch prefix puts the binary, the example configuration and the systemd
# unit where the unit's comments say. Run by CTest: cmake -DBUILD_DIR=… -DPREFIX=… -P install_check.cmake
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} RESULT_VARIABLE status
                OUTPUT_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${status}")
endif()
foreach(file bin/collab-bot share/collab-bot/collab-bot.toml lib/systemd/system/collab-bot.service)
  if(NOT EXISTS ${PREFIX}/${file})
    message(FATAL_ERROR "not installed: ${file}")
  endif()
endforeach()
# The installed binary runs, and the unit names it.
execute_process(COMMAND ${PREFIX}/bin/collab-bot --version RESULT_VARIABLE status OUTPUT_VARIABLE version)
if(NOT status EQUAL 0 OR NOT version MATCHES "^collab-bot ")
  message(FATAL_ERROR "the installed binary does not run: ${status} ${version}")
endif()
file(READ ${PREFIX}/lib/systemd/system/collab-bot.service unit)
if(NOT unit MATCHES "ExecStart=/usr/local/bin/collab-bot ")
  message(FATAL_ERROR "the unit does not run the binary installed under the default prefix")
endif()
file(REMOVE_RECURSE ${PREFIX})
