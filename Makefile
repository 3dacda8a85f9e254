# The two set-up commands: `make demo` and `make test`. Both install what they need first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOTPOD_WERROR=ON

.PHONY: all deps build dist test test-asan test-containers image fuzz demo format format-check bench clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The static binaries and .deb packages for both architectures, in dist/ (docs/install.md).
# Libraries Debian ships without a usable static archive are built from its source packages
# once per package version and kept under /var/cache/hotpod-static.
DIST_ARCHES ?= amd64 arm64
dist: deps
	@for arch in $(DIST_ARCHES); do ./scripts/dist/build.sh $$arch || exit 1; done
	@for arch in $(DIST_ARCHES); do ./scripts/dist/deb.sh $$arch || exit 1; done

# The suite includes the static binaries' tests (tests/dist): they run what `make dist` made.
test: build dist
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Only the container tests (docker build, compose, podman kube play, manifests): see
# docs/containers-testing.md for what they need and cost.
test-containers: build
	cd $(BUILD_DIR) && ctest -R containers --output-on-failure

# The hotpod image (sidecar, and source of the binary for your dev image).
image:
	docker build -t hotpod:dev .

demo: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS) --target hotpod
	bash ./scripts/demo.sh $(BUILD_DIR)/hotpod

format:
	clang-format -i $$(git ls-files 'agent/*.cpp' 'agent/*.h' 'tests/*.cpp' 'tests/*.h' 'examples/*.cpp' 'bench/*.cpp')

format-check:
	clang-format --dry-run --Werror $$(git ls-files 'agent/*.cpp' 'agent/*.h' 'tests/*.cpp' 'tests/*.h' 'examples/*.cpp' 'bench/*.cpp')

# Coverage-guided fuzzing with clang's libFuzzer (+ ASan/UBSan): FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 600
FUZZ_DIR ?= build-fuzz
SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
fuzz: deps
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DHOTPOD_BUILD_TESTS=OFF -DHOTPOD_LIBFUZZER=ON -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link $(SANITIZE)"
	cmake --build $(FUZZ_DIR) -j $(JOBS)
	./scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, except the container and
# dist tests: they run the static binaries of `make dist`, not the sanitized one.
ASAN_DIR ?= build-asan
# GCC 12's -Wmaybe-uninitialized misfires inside libstdc++'s std::regex under -fsanitize (the
# normal build keeps it as an error).
test-asan: deps
	cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOTPOD_WERROR=ON \
	  -DCMAKE_CXX_FLAGS="$(SANITIZE) -Wno-maybe-uninitialized" -DCMAKE_EXE_LINKER_FLAGS="$(SANITIZE)"
	cmake --build $(ASAN_DIR) -j $(JOBS)
	@# Every report goes to a file, so one from a process whose test passed anyway is seen too.
	rm -rf $(ASAN_DIR)/sanitizer-reports && mkdir -p $(ASAN_DIR)/sanitizer-reports
	cd $(ASAN_DIR) && reports=$$PWD/sanitizer-reports && HOTPOD_TEST_SANITIZED=1 \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$$reports/asan \
	  UBSAN_OPTIONS=print_stacktrace=1:log_path=$$reports/ubsan \
	  ctest --output-on-failure -j $(JOBS) -E '^containers/|^dist/'; status=$$?; \
	  if [ -n "$$(ls $$reports)" ]; then cat $$reports/*; \
	    echo "test-asan: sanitizer reports above (in $$reports)" >&2; exit 1; fi; exit $$status


# The benchmarks need only the hotpod binary (not the test suite).
bench: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS) --target hotpod
	./bench/run.sh $(BUILD_DIR)/hotpod

clean:
	rm -rf $(BUILD_DIR) build-dist dist
