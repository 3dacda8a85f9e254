#pragma once
// Helpers for the filter tests: a self-deleting temp directory, file writing, running git.
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hotpod::filter_test {

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "hotpod-filter-XXXXXX").string();
    if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes root/rel (creating parent directories), replacing any previous content.
  void write(std::string_view rel, std::string_view content = "") const {
    const std::filesystem::path file = path_ / rel;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
  }

  void mkdir(std::string_view rel) const { std::filesystem::create_directories(path_ / rel); }

 private:
  std::filesystem::path path_;
};

// Runs a shell command, returns its stdout; exit_code receives the wait status's exit code.
inline std::string runCommand(const std::string& command, int* exit_code = nullptr) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed: " + command);
  std::string output;
  char buffer[4096];
  size_t got;
  while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, got);
  const int status = pclose(pipe);
  if (exit_code) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

// A git command isolated from the user's and the system's configuration (no global excludes
// file) and from any GIT_DIR of an enclosing hook.
inline std::string gitCommand(const std::filesystem::path& repo, const std::string& args) {
  const std::string home = (repo / ".git").string();
  return "env -u GIT_DIR -u GIT_WORK_TREE -u GIT_INDEX_FILE -u GIT_CEILING_DIRECTORIES"
         " GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME='" +
         home + "' XDG_CONFIG_HOME='" + home + "' git -C '" + repo.string() + "' " + args;
}

}  // namespace hotpod::filter_test
