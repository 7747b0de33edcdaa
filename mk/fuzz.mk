# libFuzzer targets for the config loader (tests/fuzz/). Include it from the Makefile after its
# first target (`include mk/fuzz.mk` below `all:`, so the default goal stays); also works
# alone from the repository root: `make -f mk/fuzz.mk fuzz FUZZ_SECONDS=60`.
#   fuzz-deps   apt-get install clang and the fuzzer runtime when missing
#   fuzz-build  build every target into $(FUZZ_BUILD)/ (ASan + UBSan + libFuzzer)
#   fuzz        build, then run each target for FUZZ_SECONDS (one at a time) from its corpus
#   fuzz-replay run each target once over its seed corpus and its regressions
#               (tests/fuzz/corpus/regressions/<target>-*: past findings, now fixed)
#   fuzz-clean  remove $(FUZZ_BUILD)/
# libFuzzer stops a target at its first finding; to keep going past known ones (the committed
# tests/fuzz/corpus/regressions/), add FUZZ_FLAGS='-fork=1 -ignore_timeouts=1 -ignore_ooms=1
# -ignore_crashes=1'. Reproduce a finding: build-fuzz/TARGET FILE (see the target's header).
# Without clang or the fuzzer runtime, fuzz/fuzz-build/fuzz-replay print why and exit 0
# (skipped) unless FUZZ_REQUIRED=1. New inputs go to $(FUZZ_BUILD)/corpus/<target>/, findings
# to $(FUZZ_BUILD)/artifacts/; the committed seeds under tests/fuzz/corpus/ are only read.
FUZZ_SECONDS  ?= 60
FUZZ_REQUIRED ?= 0
FUZZ_BUILD    ?= build-fuzz
FUZZ_CXX      ?= clang++
FUZZ_RSS_MB   ?= 256
FUZZ_TIMEOUT  ?= 1
FUZZ_FLAGS    ?=
# ASan's quarantine (256 MiB by default) counts towards -rss_limit_mb: keep it small so the
# limit measures the loader, not freed memory kept for use-after-free detection.
FUZZ_ASAN_OPTIONS ?= quarantine_size_mb=16:malloc_context_size=20
FUZZ_TARGETS  := fuzz_config fuzz_units fuzz_set fuzz_check
SUDO          ?= $(shell [ "$$(id -u)" = 0 ] || echo sudo)

FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CXXFLAGS := -std=c++20 -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -Iinclude \
                 -DSTATESIM_VERSION=\"fuzz\"
FUZZ_LIBS     := -lyaml-cpp -lfmt
FUZZ_SRCS     := $(wildcard sim/config/*.cpp) $(wildcard sim/engine/*.cpp)
FUZZ_OBJS     := $(patsubst sim/%.cpp,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_SRCS))
FUZZ_BINS     := $(addprefix $(FUZZ_BUILD)/,$(FUZZ_TARGETS))

# Prints nothing when clang++ can build and link a libFuzzer target, else the reason.
FUZZ_PROBE = if ! command -v $(FUZZ_CXX) >/dev/null 2>&1; then \
	  echo "$(FUZZ_CXX) not found"; \
	elif ! printf 'extern "C" int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
	  $(FUZZ_CXX) -x c++ - -fsanitize=fuzzer,address,undefined -o /dev/null >/dev/null 2>&1; then \
	  echo "$(FUZZ_CXX) cannot link -fsanitize=fuzzer (the libFuzzer runtime, libclang-rt-14-dev on Debian 12, is missing)"; \
	fi
# Runs the rest of a recipe only when the fuzzer toolchain is there.
FUZZ_GUARD = why="$$($(FUZZ_PROBE))"; if [ -n "$$why" ]; then \
	  if [ "$(FUZZ_REQUIRED)" = 1 ]; then echo "fuzz: $$why; FUZZ_REQUIRED=1: failing (try make -f mk/fuzz.mk fuzz-deps)"; exit 1; fi; \
	  echo "fuzz: skipped: $$why (make -f mk/fuzz.mk fuzz-deps installs it)"; exit 0; fi

.PHONY: fuzz fuzz-deps fuzz-build fuzz-replay fuzz-clean

fuzz-deps:
	@missing=""; for p in clang libclang-rt-14-dev libyaml-cpp-dev libfmt-dev; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

fuzz-build:
	@$(FUZZ_GUARD); $(MAKE) -s --no-print-directory -f mk/fuzz.mk $(FUZZ_BINS)

$(FUZZ_BUILD)/obj/%.o: sim/%.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/%.o: tests/fuzz/%.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/fuzz_%.o $(FUZZ_OBJS)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer $^ $(FUZZ_LIBS) -o $@

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
.SECONDARY: $(FUZZ_OBJS) $(FUZZ_BINS:=.o)

# One fuzzer process at a time. The outer `timeout` is a safety net: a libFuzzer child stuck in
# its own timeout handler (seen once with -fork=1 under ASan) must not stall the run. Summary per target: executions, crashes (crash-, leak-,
# timeout- and oom- files written this run). Fails at the end if any target found one.
fuzz:
	@$(FUZZ_GUARD); $(MAKE) -s --no-print-directory -f mk/fuzz.mk $(FUZZ_BINS) || exit 1; \
	mkdir -p $(FUZZ_BUILD)/artifacts $(FUZZ_BUILD)/logs; status=0; summary=""; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
	  before=$$(ls $(FUZZ_BUILD)/artifacts | grep -c "^$$t-" || true); \
	  echo "fuzz: $$t for $(FUZZ_SECONDS)s (log $(FUZZ_BUILD)/logs/$$t.log)"; \
	  ASAN_OPTIONS=$(FUZZ_ASAN_OPTIONS) timeout -k 10 $$(($(FUZZ_SECONDS) * 2 + 60)) $(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
	    -rss_limit_mb=$(FUZZ_RSS_MB) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t- $(FUZZ_FLAGS) \
	    $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t >$(FUZZ_BUILD)/logs/$$t.log 2>&1; rc=$$?; \
	  execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_BUILD)/logs/$$t.log | tail -1); \
	  [ -n "$$execs" ] || execs=$$(sed -n 's/^#\([0-9]*\).*/\1/p' $(FUZZ_BUILD)/logs/$$t.log | tail -1); \
	  after=$$(ls $(FUZZ_BUILD)/artifacts | grep -c "^$$t-" || true); crashes=$$((after - before)); \
	  [ $$rc = 0 ] || [ $$crashes -gt 0 ] || crashes="1 (exit $$rc, see log)"; \
	  [ "$$crashes" = 0 ] || status=1; \
	  summary="$$summary$$(printf 'fuzz: %-12s %10s executions, crashes found: %s' $$t "$${execs:-?}" "$$crashes")\n"; \
	done; \
	printf "$$summary"; \
	[ $$status = 0 ] || echo "fuzz: findings in $(FUZZ_BUILD)/artifacts/ (reproduce: $(FUZZ_BUILD)/TARGET FILE)"; \
	exit $$status

fuzz-replay:
	@$(FUZZ_GUARD); $(MAKE) -s --no-print-directory -f mk/fuzz.mk $(FUZZ_BINS) || exit 1; \
	for t in $(FUZZ_TARGETS); do \
	  ASAN_OPTIONS=$(FUZZ_ASAN_OPTIONS) $(FUZZ_BUILD)/$$t -runs=0 -timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=$(FUZZ_RSS_MB) \
	    -artifact_prefix=$(FUZZ_BUILD)/replay-$$t- \
	    tests/fuzz/corpus/$$t >$(FUZZ_BUILD)/$$t-replay.log 2>&1 \
	    && echo "fuzz-replay: $$t: ok" \
	    || { echo "fuzz-replay: $$t: FAILED (see $(FUZZ_BUILD)/$$t-replay.log)"; exit 1; }; \
	  regressions=$$(ls tests/fuzz/corpus/regressions/$$t-* 2>/dev/null); \
	  [ -z "$$regressions" ] || { ASAN_OPTIONS=$(FUZZ_ASAN_OPTIONS) $(FUZZ_BUILD)/$$t -timeout=$(FUZZ_TIMEOUT) \
	    -rss_limit_mb=$(FUZZ_RSS_MB) $$regressions >$(FUZZ_BUILD)/$$t-regressions.log 2>&1 \
	    && echo "fuzz-replay: $$t: regressions ok" \
	    || { echo "fuzz-replay: $$t: a regression FAILED (see $(FUZZ_BUILD)/$$t-regressions.log)"; exit 1; }; }; \
	done

fuzz-clean:
	rm -rf $(FUZZ_BUILD)
