# The two set-up commands: `make demo` and `make test`. Both install what they need first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOTPOD_WERROR=ON

.PHONY: all deps build test test-containers image demo format format-check bench clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
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

bench: build
	./bench/run.sh $(BUILD_DIR)/hotpod

clean:
	rm -rf $(BUILD_DIR)
