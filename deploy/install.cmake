# Install rules and the Debian package (`make install`, `make package`), included from the top
# CMakeLists.txt. Installs the binary, the systemd unit with its ExecStart and EnvironmentFile
# pointed at where they were installed, the flags file, and the rules and dashboards for hosts
# without the Helm chart.
include(GNUInstallDirs)
# The Makefile's install and package targets build first; cpack and `cmake --install` then only
# copy (cpack would otherwise rebuild the whole tree, tests included, through `preinstall`).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS nodeprobe RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The unit and its flags file are written at install time, when the prefix is final (cmake
# --install --prefix, or /usr in the package): /usr/bin and /etc for the package, e.g.
# /usr/local/bin and /usr/local/etc for a default `make install`. systemd reads units from
# <prefix>/lib/systemd/system for both. An existing flags file is left as it is.
# install(CODE) runs in the install script's scope: hand it the source directory.
install(CODE "set(NODEPROBE_SOURCE_DIR \"${CMAKE_SOURCE_DIR}\")")
install(CODE [[
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(nodeprobe_sysconf "/etc")
  else()
    set(nodeprobe_sysconf "${CMAKE_INSTALL_PREFIX}/etc")
  endif()
  file(READ "${NODEPROBE_SOURCE_DIR}/deploy/systemd/nodeprobe.service" unit)
  string(REPLACE "/usr/bin/nodeprobe" "${CMAKE_INSTALL_PREFIX}/bin/nodeprobe" unit "${unit}")
  string(REPLACE "/etc/default/nodeprobe" "${nodeprobe_sysconf}/default/nodeprobe" unit "${unit}")
  string(REPLACE "/usr/share/doc/nodeprobe" "${CMAKE_INSTALL_PREFIX}/share/doc/nodeprobe" unit
    "${unit}")
  set(unit_path "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/systemd/system/nodeprobe.service")
  message(STATUS "Installing: ${unit_path}")
  file(WRITE "${unit_path}" "${unit}")
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${unit_path}")
  set(defaults_path "$ENV{DESTDIR}${nodeprobe_sysconf}/default/nodeprobe")
  if(NOT EXISTS "${defaults_path}")
    message(STATUS "Installing: ${defaults_path}")
    file(INSTALL "${NODEPROBE_SOURCE_DIR}/deploy/systemd/nodeprobe.default"
      DESTINATION "${nodeprobe_sysconf}/default" RENAME nodeprobe)
  endif()
]])

install(FILES ${CMAKE_SOURCE_DIR}/deploy/helm/nodeprobe/files/nodeprobe.rules.yaml
  DESTINATION ${CMAKE_INSTALL_DATADIR}/nodeprobe)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/deploy/helm/nodeprobe/files/dashboards
  DESTINATION ${CMAKE_INSTALL_DATADIR}/nodeprobe)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/deploy.md
  ${CMAKE_SOURCE_DIR}/docs/metrics.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# `make package`: a .deb installing into /usr (and /etc/default), its dependencies found by
# dpkg-shlibdeps from the binary's libraries.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nodeprobe)
set(CPACK_PACKAGE_VENDOR nodeprobe)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Node metrics agent for Prometheus, a drop-in for node_exporter with eBPF probes")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# DESTDIR staging, so the install script above sees the final prefix (/usr), not the staging tree.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "nodeprobe maintainers <nodeprobe@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Stripped, as Debian ships binaries (RelWithDebInfo's is ~50 MB with its debug information).
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/deploy/debian/conffiles
  ${CMAKE_SOURCE_DIR}/deploy/debian/postinst
  ${CMAKE_SOURCE_DIR}/deploy/debian/prerm
  ${CMAKE_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
