# `make demo` and `make test` do all set-up on a fresh Debian/Ubuntu machine.
BUILD      ?= build
JOBS       ?= 2
DEB_PKGS   := cmake g++ make libboost-program-options-dev libboost-dev libfmt-dev \
              libyaml-cpp-dev libeigen3-dev doctest-dev python3-matplotlib \
              libopenmpi-dev openmpi-bin
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian's matplotlib lives with /usr/bin/python3; a pyenv python3 on the PATH may lack it.
PYTHON     := $(shell for p in /usr/bin/python3 python3; do $$p -c 'import matplotlib' 2>/dev/null && { echo $$p; break; }; done)
CMAKE_EXTRA ?=
FLAGSHIP   := scenarios/ecommerce-rearchitecture.yaml

.PHONY: all deps build demo plots report-check test test-asan test-asan-full test-seeds soak mutate mutations clean format

all: build

# make fuzz / fuzz-replay / fuzz-deps: libFuzzer targets for the loader (tests/fuzz/).
include mk/fuzz.mk

deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_EXTRA) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	$(BUILD)/statesim run $(FLAGSHIP) --out results/ecommerce-rearchitecture
	$(MAKE) --no-print-directory plots DIR=results/ecommerce-rearchitecture

# Every plot and report.html next to the CSVs of DIR (plots/plot_results.py; exit 2 when DIR holds
# no statesim CSV).
plots:
	@[ -n "$(DIR)" ] || { echo "usage: make plots DIR=results/<scenario>" >&2; exit 2; }
	@if [ -n "$(PYTHON)" ]; then $(PYTHON) plots/plot_results.py "$(DIR)"; \
	else echo "matplotlib not found: skipping plots"; fi

# Opens DIR/report.html in headless chromium (not in DEB_PKGS: too heavy for CI; skipped with a
# message when it is not installed): self-contained, loads without errors, non-blank screenshot.
report-check:
	@[ -n "$(DIR)" ] || { echo "usage: make report-check DIR=results/<scenario>" >&2; exit 2; }
	@if [ -n "$(PYTHON)" ]; then $(PYTHON) plots/report_check.py "$(DIR)"; rc=$$?; \
	  if [ $$rc = 77 ]; then echo "report check skipped"; else exit $$rc; fi; \
	else echo "matplotlib not found: skipping the report check"; fi

test: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DSTATESIM_TESTS=ON $(CMAKE_EXTRA) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# Unit and scenario tests under AddressSanitizer + UndefinedBehaviorSanitizer (validation is
# too slow instrumented and exercises the same code). Built at -O1 with line tables only (-g1:
# reports keep file:line) and only the binaries it runs: twice as fast to build as -O2 -g. The
# whole-model property test draws ASAN_PROPERTY_CONFIGS random scenarios there (300 in `make
# test`) to keep CI in its budget; the exit-code test sends the fuzz corpus through `check`
# only; the plot tests (python, no C++) are left out. The ASAN_SMOKE_STORIES (the slowest
# stories, minutes each when instrumented) have their assertions checked in `make test`; here
# their scenario files run once (one replication, every architecture and point) to catch
# memory errors on the same configs.
ASAN_PROPERTY_CONFIGS ?= 100
ASAN_SMOKE_STORIES := traffic-spike node-failures deployment
ASAN_TARGETS := statesim statesim_unit_tests statesim_scenario_tests print_random_scenario
ASAN_CONFIGURE := cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" -DSTATESIM_TESTS=ON \
	  -DSTATESIM_SANITIZE=ON -DSTATESIM_WERROR=ON >/dev/null
test-asan: deps
	$(ASAN_CONFIGURE)
	cmake --build build-asan -j$(JOBS) --target $(ASAN_TARGETS)
	cd build-asan && STATESIM_PROPERTY_CONFIGS=$(ASAN_PROPERTY_CONFIGS) STATESIM_EXIT_CODE_QUICK=1 \
	  ctest --output-on-failure -j$(JOBS) -L 'unit|scenario' \
	  -E 'scenario-plots|scenario-($(subst $(eval) ,|,$(ASAN_SMOKE_STORIES))):'
	@for s in $(ASAN_SMOKE_STORIES); do \
	  echo "asan smoke: scenarios/$$s.yaml, one replication"; \
	  build-asan/statesim run scenarios/$$s.yaml --replications 1 --jobs $(JOBS) --quiet \
	    --out build-asan/smoke/$$s >/dev/null || exit 1; \
	done

# Every C++ test under the sanitizers (the Python plot tests aside): validation and all stories
# included, the property test at its full 300 configs. About 14 min from scratch on 2 cores:
# outside CI's budget; run it before a release.
test-asan-full: deps
	$(ASAN_CONFIGURE)
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ctest --output-on-failure -j$(JOBS) -E 'scenario-plots'

# The statistical tests again on SEEDS other master seeds (STATESIM_TEST_SEED shifts every fixed
# seed): a correct model passes them all (validation family-wise error 0.2%).
SEEDS ?= 20
test-seeds: test
	@for s in $$(seq 1 $(SEEDS)); do \
	  STATESIM_TEST_SEED=$$s $(BUILD)/tests/statesim_unit_tests -m -nv >/dev/null && \
	  STATESIM_TEST_SEED=$$s $(BUILD)/tests/statesim_validation_tests -m >/dev/null && \
	  echo "seed offset $$s: passed" || { echo "seed offset $$s: FAILED"; exit 1; }; \
	done

# Random whole-model properties over many more generated scenarios than the test suite's 300
# (tests/unit/model_properties_test.cpp), SOAK_CONFIGS of them from another seed range; then a
# simulated month (scenarios/soak/month.yaml) whose time and memory per day must stay flat.
SOAK_CONFIGS ?= 3000
soak: test
	STATESIM_PROPERTY_CONFIGS=$(SOAK_CONFIGS) STATESIM_TEST_SEED=100000 \
	  $(BUILD)/tests/statesim_unit_tests -sf='*model_properties*'
	bash tests/soak/month.sh $(BUILD)/statesim scenarios/soak/month.yaml # SOAK_ROUNDS=3

mutate: ; bash tests/mutations/run.sh
mutations: mutate

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) build-asan build-fuzz
