# SPDX-License-Identifier: GPL-2.0
#
# agentcg build. Quiet by default (V=1 shows commands). Targets:
#   make                 build build/agentcg
#   make test            unit tests, then live cgroup tests (root; v1 or v2 as the host has)
#   make test-vm         the live tests again inside a qemu VM with a real cgroup v2
#   make kernel-lab      the lab kernel: linux-source-6.12 + the memcg_bpf_ops RFC port
#                        (kernel/), cached in /var/cache/agentcg/kernel-lab/<key>/
#   make test-vm-lab     the VM tier on the lab kernel, plus its struct_ops smoke test
#   make check           format check, warnings as errors, cppcheck, unit tests
#   make ci              what CI runs: check, all tiers under ASan+UBSan, then the v2 VM tier
#   make bench           the micro-benchmarks, into build/bench-results/
#   make reproduce       every figure README quotes, into bench/results/ (root; ~15 min)
#   make install PREFIX=/usr/local
#   make SAN=1 ...       any of the above with AddressSanitizer + UBSan (into build/san)

V ?= 0
SAN ?= 0
PREFIX ?= /usr/local
CC ?= cc

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2);
endif

FUZZ ?= 0
ifeq ($(FUZZ),1)
O := build/fuzz
CC := clang
SANFLAGS := -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
else ifeq ($(SAN),1)
O := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
O := build
SANFLAGS :=
endif

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.0.0-dev)
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wno-unused-parameter -Werror
CFLAGS ?= -O2 -g
# lib/ by layer, bottom up (docs/architecture.md): support, kernel, workload, model,
# control, bench; a file still at lib/'s top (new, not yet placed) builds too
LIB_DIRS := support kernel workload model control bench
LIB_INC := $(addprefix -Ilib/,$(LIB_DIRS))
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -Ilib $(LIB_INC) -Ibpf -MMD -MP \
	-DAGENTCG_VERSION='"$(VERSION)"'
LDLIBS := -lbpf -lelf -lz -ljansson -lm
LDFLAGS += $(SANFLAGS)

LIB_SRCS := $(wildcard lib/*.c) $(foreach d,$(LIB_DIRS),$(wildcard lib/$(d)/*.c))
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_SKELS := $(BPF_SRCS:bpf/%.bpf.c=$(O)/bpf/%.skel.h) $(O)/bpf/memcg_ops_v7.skel.h
CMD_SRCS := $(wildcard src/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(O)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
LIVE_SRCS := $(wildcard tests/live/test_*.c)
TEST_HELPERS := $(O)/tests/helpers.o $(O)/tests/schema.o
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/unit_%)
LIVE_BINS := $(LIVE_SRCS:tests/live/%.c=$(O)/tests/live_%)
CSOURCES := $(LIB_SRCS) $(CMD_SRCS) $(UNIT_SRCS) $(LIVE_SRCS) tests/helpers.c tests/schema.c \
	tests/containers/alloc.c \
	bench/*.c \
	$(wildcard tests/fuzz/*.c) \
	$(BPF_SRCS) bpf/*.h \
	$(wildcard lib/*.h lib/*/*.h src/*.h tests/*.h)

.SECONDARY:
.PHONY: all test test-unit test-live test-vm test-vm-noswap kernel-lab test-vm-lab test-vm-lab-cached check format \
	format-check cppcheck ci install clean \
	bench reproduce fuzz valgrind soak
all: $(O)/agentcg

# BPF: vmlinux.h from this kernel's BTF, objects with clang, skeletons with bpftool.
$(O)/bpf/vmlinux.h:
	$(call msg,BTF,$@)
	@mkdir -p $(dir $@)
	$(Q)bpftool btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

# the struct_ops program brings its own definition of the RFC's struct (memcg_ops_rfc.h),
# once per revision: memcg_ops.bpf.o speaks v6, memcg_ops_v7.bpf.o v7
BPF_CC = clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I$(O)/bpf -Ibpf -Wall -Werror
$(O)/bpf/%.bpf.o: bpf/%.bpf.c bpf/%.h bpf/memcg_ops_rfc.h $(O)/bpf/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(BPF_CC) -c $< -o $@
$(O)/bpf/memcg_ops_v7.bpf.o: bpf/memcg_ops.bpf.c bpf/memcg_ops.h bpf/memcg_ops_rfc.h \
		$(O)/bpf/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(BPF_CC) -DACG_MEMCG_OPS_V7 -c $< -o $@

$(O)/bpf/%.skel.h: $(O)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)bpftool gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

$(O)/lib/kernel/bpf_signals.o $(O)/lib/kernel/bpf_memcg_ops.o $(O)/lib/bench/strategy.o: $(BPF_SKELS)
$(O)/lib/kernel/bpf_signals.o $(O)/lib/kernel/bpf_memcg_ops.o: ALL_CFLAGS += -I$(O)/bpf -Ibpf

$(O)/%.o: %.c
	$(call msg,CC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/libagentcg.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/agentcg: $(CMD_OBJS) $(O)/libagentcg.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CMD_OBJS) $(O)/libagentcg.a $(LDLIBS)

$(O)/tests/unit_%: $(O)/tests/unit/%.o $(TEST_HELPERS) $(O)/libagentcg.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(O)/tests/live_%: $(O)/tests/live/%.o $(TEST_HELPERS) $(O)/libagentcg.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# the container tests' allocator, copied into their busybox image: static, no sanitizer
$(O)/tests/ctr_alloc: tests/containers/alloc.c
	$(call msg,LINK,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -static -o $@ $<

$(O)/tests/live_test_containers: | $(O)/tests/ctr_alloc

$(O)/tests/unit/%.o $(O)/tests/live/%.o $(O)/tests/helpers.o $(O)/tests/schema.o: ALL_CFLAGS += \
	-Itests -DFIXTURE_DIR='"$(CURDIR)/tests/fixtures"' -DDOC_DIR='"$(CURDIR)/docs"' \
	-DTRACE_DIR='"$(CURDIR)/traces"' -DAGENTCG_BIN='"$(CURDIR)/$(O)/agentcg"' \
	-DDIST_DIR='"$(CURDIR)/dist"' -DCONTAINERS_DIR='"$(CURDIR)/tests/containers"' \
	-DCTR_ALLOC='"$(CURDIR)/$(O)/tests/ctr_alloc"'

test-unit: $(UNIT_BINS)
	$(Q)tests/run.sh unit $(UNIT_BINS)

test-live: $(LIVE_BINS) $(O)/agentcg
	$(Q)tests/run.sh live $(LIVE_BINS)

test: $(UNIT_BINS) $(LIVE_BINS) $(O)/agentcg
	$(Q)tests/run.sh host $(UNIT_BINS) $(LIVE_BINS)

test-vm: $(LIVE_BINS) $(O)/agentcg
	$(Q)tests/vm/run.sh $(O) $(LIVE_BINS)

# the daemon's and the bench's live tests again on v2 with no swap at all (most hosts), in
# the plain build (in `make ci`)
test-vm-noswap: $(O)/tests/live_test_daemon $(O)/tests/live_test_bench $(O)/agentcg
	$(Q)AGENTCG_VM_SWAP=0 tests/vm/run.sh $(O) \
		$(O)/tests/live_test_daemon $(O)/tests/live_test_bench

kernel-lab:
	$(Q)scripts/kernel-lab.sh

# The lab kernel in the VM: the live tests, then memcg_ops_smoke (kernel/smoke/, built
# against the lab kernel's BTF) that drives the RFC's hooks directly.
# in `make ci`: the lab tier where the lab kernel is cached (a kernel build is not repeated
# per CI run: `make kernel-lab` once, 5.4 min on this 2-core machine, 2026-12-06); else one line says it was not run,
# and the tally counts the tier as one skipped test
test-vm-lab-cached:
	$(Q)if scripts/kernel-lab.sh --cached >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory test-vm-lab; \
	else \
		echo "vm-cgroup-v2-lab: not run: the lab kernel is not cached (make kernel-lab builds it, about 6 min on 2 cores)"; \
		[ -z "$${ACG_TEST_TALLY:-}" ] || echo "vm-cgroup-v2-lab: 0 passed, 0 failed, 1 skipped" >>"$$ACG_TEST_TALLY"; \
	fi

test-vm-lab: $(LIVE_BINS) $(O)/agentcg
	$(Q)kernel/smoke/build.sh $(O)/kernel-lab
	$(Q)AGENTCG_VM_KERNEL=$$(scripts/kernel-lab.sh --path) tests/vm/run.sh $(O) $(LIVE_BINS) \
		$(O)/kernel-lab/memcg_ops_smoke

$(O)/bench/replay_bench: $(O)/bench/replay_bench.o $(O)/libagentcg.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bench/bpf_bench.o: $(BPF_SKELS)
$(O)/bench/%.o: ALL_CFLAGS += -DBENCH_DIR='"$(CURDIR)/bench"' \
	-DTRACE_DIR='"$(CURDIR)/traces"'

$(O)/bench/bpf_bench: $(O)/bench/bpf_bench.o $(O)/libagentcg.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bench/memcg_ops_bench.o: $(BPF_SKELS)
$(O)/bench/memcg_ops_bench: $(O)/bench/memcg_ops_bench.o $(O)/libagentcg.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bench/reaction_bench: $(O)/bench/reaction_bench.o $(O)/libagentcg.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bench/scale_bench: $(O)/bench/scale_bench.o $(O)/libagentcg.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Fuzzing (libFuzzer, clang): every parser, FUZZ_SECONDS each, from the checked-in corpus.
FUZZ_TARGETS := trace text scenario report
FUZZ_SECONDS ?= 60
$(O)/tests/fuzz_%: $(O)/tests/fuzz/fuzz_%.o $(O)/libagentcg.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

fuzz:
	$(Q)$(MAKE) --no-print-directory FUZZ=1 $(FUZZ_TARGETS:%=build/fuzz/tests/fuzz_%)
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p build/fuzz/corpus/$$t build/fuzz/crashes; \
		echo "  FUZZ    $$t ($(FUZZ_SECONDS) s)"; \
		build/fuzz/tests/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
			-artifact_prefix=build/fuzz/crashes/$$t- -print_final_stats=1 \
			build/fuzz/corpus/$$t tests/fuzz/corpus/$$t 2>build/fuzz/$$t.log \
			|| { tail -n 40 build/fuzz/$$t.log; echo "fuzz: $$t failed; input in build/fuzz/crashes"; exit 1; }; \
		grep -E 'stat::number_of_executed_units|cov:' build/fuzz/$$t.log | tail -n 2; \
	done
	$(Q)line="fuzz: $(words $(FUZZ_TARGETS)) passed, 0 failed, 0 skipped"; echo "$$line"; \
		[ -z "$$ACG_TEST_TALLY" ] || echo "$$line" >> "$$ACG_TEST_TALLY"

# The unit tier under valgrind (memcheck): any error or leak fails it.
# Every unit and live test binary under memcheck (definite leaks are errors; forked children
# run instrumented too but report nothing: --child-silent-after-fork). The live tests learn
# from AGENTCG_VALGRIND that a forked worker's memory is partly valgrind's own.
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
	--child-silent-after-fork=yes --suppressions=tests/valgrind.supp
valgrind: $(UNIT_BINS) $(LIVE_BINS) $(O)/agentcg
	$(Q)for b in $(UNIT_BINS) $(LIVE_BINS); do \
		AGENTCG_VALGRIND=1 $(VALGRIND) $$b > build/valgrind-$$(basename $$b).log 2>&1 \
			|| { tail -n 40 build/valgrind-$$(basename $$b).log; exit 1; }; \
	done; line="valgrind: $(words $(UNIT_BINS) $(LIVE_BINS)) passed, 0 failed, 0 skipped"; \
		echo "$$line"; [ -z "$$ACG_TEST_TALLY" ] || echo "$$line" >> "$$ACG_TEST_TALLY"

# Benchmarks report; they never pass or fail. `make bench` writes into $(BENCH_OUT) (default
# build/bench-results, untracked); `make reproduce` regenerates every figure README quotes
# into bench/results/ (tracked), from README's own commands.
BENCH_OUT ?= build/bench-results
bench: $(O)/bench/replay_bench $(O)/bench/bpf_bench $(O)/bench/reaction_bench \
		$(O)/bench/scale_bench $(O)/agentcg
	$(Q)mkdir -p $(BENCH_OUT)
	$(Q)$(O)/bench/replay_bench $(CURDIR)/traces/pre-commit__pre-commit-2524.json \
		$(BENCH_OUT)/replay.json
	$(Q)$(O)/bench/bpf_bench $(BENCH_OUT)/bpf.json
	$(Q)$(O)/bench/reaction_bench $(BENCH_OUT)/reaction.json
	$(Q)$(O)/bench/scale_bench --agentcg $(O)/agentcg --seconds 120 $(BENCH_OUT)/scale.json

reproduce: $(O)/agentcg
	$(Q)scripts/reproduce.sh

format:
	$(Q)clang-format -i $(CSOURCES)

format-check:
	$(call msg,FORMAT,check)
	$(Q)clang-format --dry-run --Werror $(CSOURCES)

cppcheck:
	$(call msg,CPPCHECK,sources)
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--inline-suppr --std=c11 -Ilib $(LIB_INC) -Ibpf -Itests -D__linux__ --suppress=missingIncludeSystem \
		--library=scripts/cppcheck-jansson.cfg \
		--suppress=missingInclude:lib/kernel/bpf_signals.c \
		--suppress=missingInclude:lib/kernel/bpf_memcg_ops.c \
		lib src tests bench

check: format-check cppcheck all test-unit

# CI: static checks, then every tier under ASan+UBSan: unit and live on this host, live
# again on cgroup v2 in the VM (which carries the binaries with their shared libraries);
# the daemon's and bench's live tests on v2 with no swap; the live tests and the struct_ops
# ones on the lab kernel where it is cached; valgrind, the soak, fuzzing.
ci: export ACG_TEST_TALLY := $(CURDIR)/build/tally
ci:
	$(Q)mkdir -p build && rm -f build/tally
	$(Q)$(MAKE) --no-print-directory check
	$(Q)$(MAKE) --no-print-directory SAN=1 test
	$(Q)$(MAKE) --no-print-directory SAN=1 test-vm
	$(Q)$(MAKE) --no-print-directory test-vm-noswap
	$(Q)$(MAKE) --no-print-directory test-vm-lab-cached
	$(Q)$(MAKE) --no-print-directory valgrind
	$(Q)$(MAKE) --no-print-directory soak
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=60
	$(Q)tests/summarize.sh --total all

# The soak: 64 sessions coming and going under the daemon for SOAK_SECONDS (the issue asks
# for ten minutes), in the plain build, whose daemon RSS is meaningful.
SOAK_SECONDS ?= 600
soak: $(O)/tests/live_test_daemon $(O)/agentcg
	$(Q)AGENTCG_SOAK_SECONDS=$(SOAK_SECONDS) tests/run.sh soak $(O)/tests/live_test_daemon

# the binary; the service unit (with the binary's path filled in) where systemd looks for
# local units; the daemon's config, unless one is there already (an admin's is kept)
UNITDIR ?= $(PREFIX)/lib/systemd/system
install: $(O)/agentcg
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX)/bin/agentcg)
	$(Q)install -D -m 0755 $(O)/agentcg $(DESTDIR)$(PREFIX)/bin/agentcg
	$(call msg,INSTALL,$(DESTDIR)$(UNITDIR)/agentcg.service)
	$(Q)mkdir -p $(DESTDIR)$(UNITDIR)
	$(Q)sed 's|@BINDIR@|$(PREFIX)/bin|g' dist/agentcg.service.in >$(DESTDIR)$(UNITDIR)/agentcg.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/agentcg.service
	$(Q)if [ ! -e $(DESTDIR)/etc/agentcg/daemon.json ]; then \
		install -D -m 0644 dist/daemon.json $(DESTDIR)/etc/agentcg/daemon.json; \
		printf '  %-7s %s\n' INSTALL $(DESTDIR)/etc/agentcg/daemon.json; \
	else printf '  %-7s %s\n' KEEP $(DESTDIR)/etc/agentcg/daemon.json; fi

clean:
	$(Q)rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
