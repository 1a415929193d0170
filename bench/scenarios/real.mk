# SPDX-License-Identifier: GPL-2.0
#
# real.mk: the "build" and "test" of the real-software scenario (real.json): compile this
# repository's lib/ (all but the BPF parts, which need generated skeletons) into
# $(AGENTCG_SCRATCH)/obj (its sources, lib/*/*.c: none of them found is an error), then link and run three of its unit test programs against it;
# build-asan compiles lib/ again with AddressSanitizer into $(AGENTCG_SCRATCH)/asan.
# Only Debian packages scripts/setup.sh installs (gcc, make, libjansson-dev,
# libcmocka-dev). Run from the repository root: make -j2 -f bench/scenarios/real.mk build
OUT ?= $(AGENTCG_SCRATCH)/obj
ASAN ?= $(AGENTCG_SCRATCH)/asan
SRCS := $(filter-out lib/kernel/bpf_%.c lib/bench/strategy.c,$(wildcard lib/*/*.c))
OBJS := $(SRCS:lib/%.c=$(OUT)/lib/%.o)
TESTS := test_stats test_parse test_trace
CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall $(addprefix -I,$(wildcard lib/*/)) -Ibpf -Itests \
	-DFIXTURE_DIR='"$(CURDIR)/tests/fixtures"' -DDOC_DIR='"$(CURDIR)/docs"' \
	-DTRACE_DIR='"$(CURDIR)/traces"'

ifeq ($(SRCS),)
$(error real.mk: no sources in lib/*/*.c: run it from the repository's root)
endif

build: $(OUT)/libreal.a
test: $(TESTS:%=$(OUT)/%.ok)
build-asan: $(SRCS:lib/%.c=$(ASAN)/lib/%.o)

$(ASAN)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	gcc $(CFLAGS) -fsanitize=address,undefined -fno-omit-frame-pointer -c -o $@ $<

$(OUT)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	gcc $(CFLAGS) -c -o $@ $<

$(OUT)/libreal.a: $(OBJS)
	ar rcs $@ $^

$(OUT)/%: tests/unit/%.c tests/helpers.c tests/schema.c $(OUT)/libreal.a
	gcc $(CFLAGS) -o $@ $^ -ljansson -lcmocka -lm

$(OUT)/%.ok: $(OUT)/%
	$< && touch $@

.PHONY: build test build-asan
.SECONDARY:
