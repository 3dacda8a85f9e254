// Runs a fuzz target without libFuzzer (for `make test`, built by the usual compiler): every
// file of the corpus directories, then random mutations of them for a few seconds. A crash
// leaves the input that caused it in ./crash-<target>-<n>. `make fuzz` runs the real,
// coverage-guided libFuzzer instead.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::string current;        // the input being run, for the crash handler
std::string crash_path;

void saveCrash(int signal) {
  const int fd = ::open(crash_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    (void)!::write(fd, current.data(), current.size());
    ::close(fd);
  }
  const char note[] = "replay: crash; input saved\n";
  (void)!::write(2, note, sizeof note - 1);
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

void run(const std::string& input) {
  current = input;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(current.data()), current.size());
}

std::string mutate(std::string input, std::mt19937_64& random, const std::vector<std::string>& corpus) {
  const int steps = 1 + static_cast<int>(random() % 4);
  for (int i = 0; i < steps; ++i) {
    const size_t at = input.empty() ? 0 : random() % (input.size() + 1);
    switch (random() % 5) {
      case 0:  // flip a bit
        if (!input.empty()) input[at % input.size()] ^= static_cast<char>(1u << (random() % 8));
        break;
      case 1:  // insert a byte, often a structural one
        input.insert(at, 1, "\n:[]{}-*!/\\\"' \t\0#,%"[random() % 19]);
        break;
      case 2:  // erase a run
        if (!input.empty()) input.erase(at % input.size(), 1 + random() % 8);
        break;
      case 3: {  // splice in a piece of another input
        const std::string& other = corpus[random() % corpus.size()];
        if (!other.empty()) {
          const size_t from = random() % other.size();
          input.insert(at, other.substr(from, 1 + random() % 32));
        }
        break;
      }
      default:  // duplicate a run
        if (!input.empty()) input.insert(at, input.substr(at % input.size(), 1 + random() % 16));
    }
  }
  return input.size() > 65536 ? input.substr(0, 65536) : input;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 0;
  std::vector<std::string> corpus;
  std::string name = std::filesystem::path(argv[0]).filename().string();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
      continue;
    }
    for (const auto& entry : std::filesystem::directory_iterator(arg)) {
      std::ifstream file(entry.path(), std::ios::binary);
      corpus.emplace_back(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    }
  }
  if (corpus.empty()) corpus.emplace_back();
  crash_path = "crash-" + name;
  for (int signal : {SIGSEGV, SIGABRT, SIGILL, SIGFPE, SIGBUS, SIGTRAP}) std::signal(signal, saveCrash);
  for (const auto& input : corpus) run(input);
  const uint64_t seed = std::random_device{}();
  std::mt19937_64 random(seed);
  size_t runs = corpus.size();
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    run(mutate(corpus[random() % corpus.size()], random, corpus));
    ++runs;
  }
  std::printf("%s: %zu corpus inputs and %zu mutations (seed %llu): no crash\n", name.c_str(),
              corpus.size(), runs - corpus.size(), static_cast<unsigned long long>(seed));
  return 0;
}
