// `hotpod version`: enough to tell which binary is which — the release, the commit, the
// architecture (a wrong-architecture binary fails in the kernel, before any message of ours),
// whether it is the static build, and what it links.
#include "build_info.h"
#include "cli/options.h"
#include "observe/http_client.h"

#include <iostream>

namespace hotpod {
namespace {

constexpr const char* architecture() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__arm__)
  return "arm";
#else
  return "unknown";
#endif
}

}  // namespace

int versionCommand() {
  std::cout << "hotpod " << HOTPOD_VERSION << '\n'
            << "commit:       " << HOTPOD_GIT_COMMIT << '\n'
            << "architecture: " << architecture() << '\n'
            << "linkage:      " << HOTPOD_LINKAGE << '\n'
            << "libraries:    " << HOTPOD_LIBRARY_VERSIONS << '\n'
            << "http client:  " << httpClientVersion() << '\n';
  return 0;
}

}  // namespace hotpod
