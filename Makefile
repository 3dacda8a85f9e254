# The two set-up commands: `make demo` and `make test`. Both install what they need first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOTPOD_WERROR=ON

.PHONY: all deps build test demo format format-check bench clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS) --target hotpod
	bash ./scripts/demo.sh $(BUILD_DIR)/hotpod

format:
	clang-format -i $$(git ls-files 'agent/*.cpp' 'agent/*.h' 'tests/*.cpp' 'tests/*.h' 'examples/*.cpp' 'bench/*.cpp')

format-check:
	clang-format --dry-run --Werror $$(git ls-files 'agent/*.cpp' 'agent/*.h' 'tests/*.cpp' 'tests/*.h' 'examples/*.cpp' 'bench/*.cpp')

# The benchmarks need only the hotpod binary (not the test suite).
bench: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS) --target hotpod
	./bench/run.sh $(BUILD_DIR)/hotpod

clean:
	rm -rf $(BUILD_DIR)
