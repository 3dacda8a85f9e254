#include "http/control_token.h"

#include <sys/stat.h>

#include <cstdlib>
#include <stdexcept>

#include "base/files.h"
#include "base/log.h"
#include "base/text.h"

namespace hotpod {

ControlToken loadControlToken(const HttpConfig& config) {
  if (const char* env = std::getenv("HOTPOD_TOKEN"); env && *env) {
    return {trimmed(env), "HOTPOD_TOKEN"};
  }
  if (config.token_file.empty()) return {};
  const std::string& path = config.token_file;
  const auto text = readWholeFile(path);
  if (!text) {
    throw std::runtime_error("cannot read http.token_file " + path +
                             ": check the path and that hotpod's user may read it");
  }
  const std::string token = trimmed(*text);
  if (token.empty()) {
    throw std::runtime_error("http.token_file " + path +
                             " is empty: put a long random token in it, e.g. "
                             "openssl rand -hex 32 > " +
                             path);
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & S_IROTH)) {
    log::warn("token_file_readable",
              "http.token_file " + path +
                  " is readable by every user: anyone on this machine can rebuild and restart; "
                  "chmod o-r " +
                  path,
              {{"path", path}});
  }
  return {token, path};
}

std::optional<std::string_view> bearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {  // the scheme is case-insensitive
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i]))) {
      return std::nullopt;
    }
  }
  auto token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

bool tokensEqual(std::string_view expected, std::string_view given) {
  // Compare over the expected length whatever `given` is, folding every difference in.
  unsigned char difference = expected.size() == given.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    const unsigned char other =
        given.empty() ? 0 : static_cast<unsigned char>(given[i % given.size()]);
    difference |= static_cast<unsigned char>(expected[i]) ^ other;
  }
  return expected.size() > 0 && difference == 0;
}

}  // namespace hotpod
