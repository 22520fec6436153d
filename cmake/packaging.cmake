# packaging.cmake: what `cmake --install` puts where, and the Debian package CPack makes of it
# (`cpack -G DEB` in a release build folder; scripts/release-build.sh is the release recipe).
# Binaries go to /usr/bin, the systemd units to /lib/systemd/system, the example configuration
# to /usr/share/doc/candor. The package is reproducible: file times come from
# SOURCE_DATE_EPOCH, which the recipe sets to the commit's time.
include(GNUInstallDirs)

install(TARGETS candor candord candor-witness candor-auditor RUNTIME DESTINATION bin)
install(FILES packaging/candord.service packaging/candor-auditor.service
        DESTINATION lib/systemd/system)
install(FILES packaging/candord.example.json README.md DESTINATION share/doc/candor)

set(CPACK_PACKAGE_NAME candor)
set(CPACK_PACKAGE_VENDOR "Candor")
set(CPACK_PACKAGE_CONTACT "Candor maintainers <maintainers@candor.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "End-to-end encrypted messaging with key and binary transparency")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # candor_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)   # Depends: from the binaries' shared libraries
set(CPACK_STRIP_FILES ON)
set(CPACK_THREADS 1)
include(CPack)
