# The static build (make dist): every third-party library comes from HOTPOD_STATIC_PREFIX, made
# by scripts/dist/static-deps.sh, under the same target names find_package gives the dynamic
# build, so agent/src/CMakeLists.txt is the same for both. Header-only where the library allows
# it (spdlog with fmt, nlohmann-json, CLI11, toml++, cpp-httplib's single header).
if(NOT HOTPOD_TRIPLET)
  message(FATAL_ERROR "the static build needs a toolchain file (cmake/toolchains/linux-ARCH.cmake)")
endif()
set(prefix ${HOTPOD_STATIC_PREFIX})
set(sysroot ${prefix}/sysroot)
set(libdir ${sysroot}/usr/lib/${HOTPOD_TRIPLET})
if(NOT EXISTS ${prefix}/complete)
  message(FATAL_ERROR "${prefix} is not a finished static-deps prefix: run scripts/dist/static-deps.sh")
endif()

# Headers of the libraries and of Debian's multiarch layout, ahead of the build machine's.
add_library(hotpod_static_headers INTERFACE)
target_include_directories(hotpod_static_headers SYSTEM INTERFACE
  ${prefix}/include ${sysroot}/usr/include/${HOTPOD_TRIPLET} ${sysroot}/usr/include)

function(hotpod_static_library target kind)
  cmake_parse_arguments(LIB "" "ARCHIVE" "LINK;DEFINES" ${ARGN})
  if(kind STREQUAL "STATIC")
    add_library(${target} STATIC IMPORTED GLOBAL)
    if(NOT EXISTS ${LIB_ARCHIVE})
      message(FATAL_ERROR "${target}: ${LIB_ARCHIVE} is missing from the static-deps prefix")
    endif()
    set_target_properties(${target} PROPERTIES IMPORTED_LOCATION ${LIB_ARCHIVE})
  else()
    add_library(${target} INTERFACE IMPORTED GLOBAL)
  endif()
  set_target_properties(${target} PROPERTIES
    INTERFACE_LINK_LIBRARIES "hotpod_static_headers;${LIB_LINK}"
    INTERFACE_COMPILE_DEFINITIONS "${LIB_DEFINES}")
endfunction()

hotpod_static_library(spdlog::spdlog INTERFACE DEFINES SPDLOG_FMT_EXTERNAL FMT_HEADER_ONLY)
hotpod_static_library(nlohmann_json::nlohmann_json INTERFACE)
hotpod_static_library(CLI11::CLI11 INTERFACE)
hotpod_static_library(PkgConfig::HTTPLIB INTERFACE)
hotpod_static_library(yaml-cpp STATIC ARCHIVE ${libdir}/libyaml-cpp.a)
hotpod_static_library(prometheus-cpp::core STATIC ARCHIVE ${prefix}/lib/libprometheus-cpp-core.a)
hotpod_static_library(hotpod_openssl STATIC ARCHIVE ${libdir}/libssl.a
                      LINK ${libdir}/libcrypto.a)
hotpod_static_library(hotpod_cares STATIC ARCHIVE ${libdir}/libcares.a)
hotpod_static_library(CURL::libcurl STATIC ARCHIVE ${prefix}/lib/libcurl.a
                      LINK "hotpod_openssl;hotpod_cares" DEFINES CURL_STATICLIB)
hotpod_static_library(LibArchive::LibArchive STATIC ARCHIVE ${prefix}/lib/libarchive.a
                      LINK ${libdir}/libz.a DEFINES LIBARCHIVE_STATIC)
hotpod_static_library(http_parser::http_parser STATIC ARCHIVE ${prefix}/lib/libhttp_parser.a)
add_library(Threads::Threads INTERFACE IMPORTED GLOBAL)

# The versions `hotpod version` names: those of the Debian packages the prefix was made from,
# under the libraries' own names.
set(library_names "libssl-dev=OpenSSL" "zlib1g-dev=zlib" "libc-ares-dev=c-ares"
    "libyaml-cpp-dev=yaml-cpp" "libspdlog-dev=spdlog" "libfmt-dev=fmt" "libtomlplusplus-dev=toml++"
    "nlohmann-json3-dev=nlohmann-json" "libcli11-dev=CLI11" "curl=libcurl")
file(STRINGS ${prefix}/versions static_versions)
set(HOTPOD_LIBRARY_VERSIONS "")
foreach(line IN LISTS static_versions)
  string(REPLACE " (source)" "" line "${line}")
  string(REGEX REPLACE " .*" "" package "${line}")
  string(REGEX REPLACE "^[^ ]+ " "" version "${line}")
  if(package STREQUAL "compiler")
    continue()
  endif()
  foreach(pair IN LISTS library_names)
    string(FIND "${pair}" "${package}=" at)
    if(at EQUAL 0)
      string(LENGTH "${package}=" skip)
      string(SUBSTRING "${pair}" ${skip} -1 package)
    endif()
  endforeach()
  list(APPEND HOTPOD_LIBRARY_VERSIONS "${package} ${version}")
endforeach()
string(JOIN ", " HOTPOD_LIBRARY_VERSIONS ${HOTPOD_LIBRARY_VERSIONS})

# Fully static, stripped of unused sections.
add_link_options(-static -Wl,--gc-sections)
add_compile_options(-ffunction-sections -fdata-sections)
