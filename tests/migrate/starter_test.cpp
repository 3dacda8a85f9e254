#include "migrate/starter.h"

#include <doctest/doctest.h>

#include <fstream>
#include <random>

#include "config/key_suggestions.h"
#include "config/loader.h"

using namespace hotpod;
namespace fs = std::filesystem;

namespace {

// A project directory holding the given files, removed at the end of the test.
struct Project {
  fs::path dir;
  explicit Project(std::initializer_list<std::pair<const char*, const char*>> files) {
    std::random_device random;
    dir = fs::temp_directory_path() / ("hotpod-starter-test-" + std::to_string(random()));
    fs::create_directories(dir);
    for (const auto& [name, text] : files) std::ofstream(dir / name) << text;
  }
  ~Project() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  // The starter config, parsed back as if written to DIR/hotpod.yaml.
  Config starter() const { return parseConfigText(text(), (dir / "hotpod.yaml").string()); }
  std::string text() const { return starterConfig(dir); }
};

void checkEveryKeyIsShown(const std::string& text) {
  for (const char* section : {"watch", "build", "run", "log", "http", "app", "notify"}) {
    CHECK(text.find("\n" + std::string(section) + ":\n") != std::string::npos);
    for (const auto& key : validConfigKeys(section)) {
      CAPTURE(key);
      CHECK(text.find("\n  " + key + ":") != std::string::npos);
    }
  }
  CHECK(text.find("\nroot: .\n") != std::string::npos);
}

void checkDefaultsKept(const Config& config) {
  const Config defaults;
  CHECK(config.watch.backend == defaults.watch.backend);
  CHECK(config.watch.poll_interval == defaults.watch.poll_interval);
  CHECK(config.watch.verify_interval == defaults.watch.verify_interval);
  CHECK(config.watch.exclude_dir == defaults.watch.exclude_dir);
  CHECK(config.watch.gitignore == defaults.watch.gitignore);
  CHECK(config.watch.delay == defaults.watch.delay);
  CHECK(config.watch.max_delay == defaults.watch.max_delay);
  CHECK(config.build.timeout == defaults.build.timeout);
  CHECK(config.build.on_busy == defaults.build.on_busy);
  CHECK(config.build.env.empty());
  CHECK(config.run.stop_signal == defaults.run.stop_signal);
  CHECK(config.run.stop_timeout == defaults.run.stop_timeout);
  CHECK(config.run.restart_on_crash == defaults.run.restart_on_crash);
  CHECK(config.log.format == defaults.log.format);
  CHECK(config.log.level == defaults.log.level);
  CHECK(config.http.listen.empty());
}

}  // namespace

TEST_CASE("starter for a Go module builds into .hotpod/bin and runs the binary") {
  Project project({{"go.mod", "module example.com/app\n"}, {"main.go", "package main\n"}});
  Config config = project.starter();
  CHECK(config.root == project.dir);
  CHECK(config.watch.include_ext == std::vector<std::string>{"go", "tmpl", "html"});
  CHECK(config.build.cmd == "go build -o .hotpod/bin/app .");
  CHECK(config.run.cmd.display() == ".hotpod/bin/app");
  CHECK(project.text().find("for a Go project (go.mod)") != std::string::npos);
  checkDefaultsKept(config);
  checkEveryKeyIsShown(project.text());
}

TEST_CASE("starter recognises Go from *.go files alone") {
  Project project({{"main.go", "package main\n"}});
  CHECK(project.starter().build.cmd == "go build -o .hotpod/bin/app .");
  CHECK(project.text().find("for a Go project (*.go)") != std::string::npos);
}

TEST_CASE("starter for CMake builds in .hotpod/build and guesses the executable") {
  Project project({{"CMakeLists.txt",
                    "cmake_minimum_required(VERSION 3.20)\nproject(demo CXX)\n"
                    "add_executable(server main.cpp)\n"}});
  Config config = project.starter();
  CHECK(config.build.cmd == "cmake -S . -B .hotpod/build && cmake --build .hotpod/build");
  CHECK(config.run.cmd.display() == ".hotpod/build/server");
  CHECK(config.watch.include == std::vector<std::string>{"CMakeLists.txt"});
  CHECK(project.text().find("Guessed from add_executable(server)") != std::string::npos);
  checkDefaultsKept(config);
  checkEveryKeyIsShown(project.text());
}

TEST_CASE("starter for CMake reads ${PROJECT_NAME} from project()") {
  Project project({{"CMakeLists.txt", "project(my_tool)\nadd_executable(${PROJECT_NAME} a.cc)\n"}});
  CHECK(project.starter().run.cmd.display() == ".hotpod/build/my_tool");
}

TEST_CASE("starter for CMake without a known executable leaves a TODO") {
  Project project({{"CMakeLists.txt", "add_subdirectory(src)\n"}});
  CHECK(project.starter().run.cmd.display() == ".hotpod/build/app");
  CHECK(project.text().find("TODO: hotpod could not tell the executable's name") !=
        std::string::npos);
}

TEST_CASE("starter for a Makefile runs make and asks for the run command") {
  Project project({{"Makefile", "all:\n\tcc -o app main.c\n"}});
  Config config = project.starter();
  CHECK(config.build.cmd == "make");
  CHECK(config.run.cmd.empty());
  CHECK(config.watch.exclude == std::vector<std::string>{"*.o", "*.a", "*.so"});
  CHECK(project.text().find("TODO: the program `make` builds") != std::string::npos);
  checkDefaultsKept(config);
  checkEveryKeyIsShown(project.text());
}

TEST_CASE("starter for package.json runs npm start without a build") {
  Project project({{"package.json", "{\"scripts\": {\"start\": \"node index.js\"}}\n"}});
  Config config = project.starter();
  CHECK(config.build.cmd.empty());
  CHECK(config.run.cmd.through_shell);
  CHECK(config.run.cmd.display() == "npm start");
  CHECK(config.watch.include_ext == std::vector<std::string>{"js", "ts", "json", "mjs"});
  checkDefaultsKept(config);
  checkEveryKeyIsShown(project.text());
}

TEST_CASE("starter for an unrecognised directory says what to fill in") {
  Project project({{"README.md", "hello\n"}});
  Config config = project.starter();
  CHECK(config.build.cmd.empty());
  CHECK(config.run.cmd.empty());
  CHECK(config.watch.include_ext.empty());
  std::string text = project.text();
  CHECK(text.find("TODO: the command that builds your app") != std::string::npos);
  CHECK(text.find("TODO: the command that starts your app") != std::string::npos);
  CHECK(text.find("written by `hotpod init`.\n") != std::string::npos);
  checkDefaultsKept(config);
  checkEveryKeyIsShown(text);
}

TEST_CASE("starter prefers Go over a Makefile next to it") {
  Project project({{"go.mod", "module m\n"}, {"Makefile", "all:\n"}});
  CHECK(project.starter().build.cmd == "go build -o .hotpod/bin/app .");
}
