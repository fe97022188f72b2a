# dpvsd top-level Makefile.
#   make            build dpvsd, ipvsadm, dpip into build/
#   make SAN=1      same with address+undefined sanitizers into build-san/
#   make check      build (normal and SAN) and run every test; ends "N passed, N failed"
#   make unit       build and run the unit tests only (GTEST_FILTER=... to pick)
#   make install    install binaries, sample config and systemd unit (DESTDIR, PREFIX)
#   make deps       install the Debian packages needed to build, test and run the demo
#   make bench      run the benchmarks (scripts/bench/)
#   make fuzz       build the libFuzzer targets (clang) into build-fuzz/ (doc/testing.md)
# Sources are found by wildcard: a new .c under src/ is part of the daemon,
# a new .cc under test/unit/ is part of the unit-test binary.

PREFIX  ?= /usr/local
DESTDIR ?=
SAN     ?= 0

ifeq ($(SAN),1)
BUILD   ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD   ?= build
SANFLAGS =
endif

CC      ?= gcc
CXX     ?= g++
PKGCONF ?= pkg-config

DPDK_CFLAGS := $(shell $(PKGCONF) --cflags libdpdk 2>/dev/null)
DPDK_LIBS   := $(shell $(PKGCONF) --libs libdpdk 2>/dev/null)
SYSTEMD_LIBS := $(shell $(PKGCONF) --libs libsystemd 2>/dev/null)
MHD_CFLAGS  := $(shell $(PKGCONF) --cflags libmicrohttpd 2>/dev/null)
MHD_LIBS    := $(shell $(PKGCONF) --libs libmicrohttpd 2>/dev/null)

WARN     = -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -Iinclude $(DPDK_CFLAGS) $(MHD_CFLAGS) $(SANFLAGS) -MMD -MP
CXXFLAGS ?= -O1 -g
CXXFLAGS += -std=c++17 $(WARN) -Wno-missing-field-initializers -Iinclude -Itest/shim \
            $(DPDK_CFLAGS) $(SANFLAGS) -MMD -MP
LDLIBS   = $(DPDK_LIBS) $(MHD_LIBS) -lev -lconfig -lpopt $(SYSTEMD_LIBS) -lpthread -lm
TOOL_LDLIBS = -lpopt

DAEMON_SRCS := $(filter-out src/main.c,$(shell find src -name '*.c' | sort))
# src/dpvs_err.c: the tools print the daemon's error texts from the same table.
CLIENT_SRCS := $(wildcard tools/common/*.c) src/dpvs_err.c
IPVSADM_SRCS := $(filter-out tools/ipvsadm/main.c,$(wildcard tools/ipvsadm/*.c))
DPIP_SRCS   := $(filter-out tools/dpip/main.c,$(wildcard tools/dpip/*.c))
SHIM_SRCS   := $(wildcard test/shim/*.c)
UNIT_SRCS   := $(wildcard test/unit/*.cc)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
DAEMON_OBJS  := $(call obj,$(DAEMON_SRCS))
CLIENT_OBJS  := $(call obj,$(CLIENT_SRCS))
IPVSADM_OBJS := $(call obj,$(IPVSADM_SRCS))
DPIP_OBJS    := $(call obj,$(DPIP_SRCS))
SHIM_OBJS    := $(call obj,$(SHIM_SRCS))
UNIT_OBJS    := $(patsubst %.cc,$(BUILD)/obj/%.o,$(UNIT_SRCS))

LIBDPVSD  := $(BUILD)/libdpvsd.a
LIBCLIENT := $(BUILD)/libdpvsctl.a
LIBIPVSADM := $(BUILD)/libipvsadm.a
LIBDPIP   := $(BUILD)/libdpip.a

BINS := $(BUILD)/dpvsd $(BUILD)/ipvsadm $(BUILD)/dpip

.PHONY: all check unit integration install deps bench clean kmod tidy
all: $(BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(LIBDPVSD): $(DAEMON_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(LIBCLIENT): $(CLIENT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(LIBIPVSADM): $(IPVSADM_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
$(LIBDPIP): $(DPIP_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# --whole-archive keeps modules that register themselves from constructors.
$(BUILD)/dpvsd: $(call obj,src/main.c) $(LIBDPVSD)
	$(CC) $(CFLAGS) -o $@ $< -Wl,--whole-archive $(LIBDPVSD) -Wl,--no-whole-archive $(LDLIBS)
$(BUILD)/ipvsadm: $(call obj,tools/ipvsadm/main.c) $(LIBIPVSADM) $(LIBCLIENT)
	$(CC) $(CFLAGS) -o $@ $^ $(TOOL_LDLIBS)
$(BUILD)/dpip: $(call obj,tools/dpip/main.c) $(LIBDPIP) $(LIBCLIENT)
	$(CC) $(CFLAGS) -o $@ $^ $(TOOL_LDLIBS)

$(BUILD)/unit_tests: $(UNIT_OBJS) $(SHIM_OBJS) $(LIBDPVSD) $(LIBIPVSADM) $(LIBDPIP) $(LIBCLIENT)
	$(CXX) $(CXXFLAGS) -o $@ $(UNIT_OBJS) $(SHIM_OBJS) -Wl,--whole-archive $(LIBDPVSD) \
	  -Wl,--no-whole-archive $(LIBIPVSADM) $(LIBDPIP) $(LIBCLIENT) -lgtest -lgtest_main $(LDLIBS)

# In-process connection benchmark (scripts/bench/conn.sh).
BENCH_INPROC_OBJS := $(call obj,$(wildcard bench/inproc/*.c))
$(BUILD)/obj/bench/inproc/%.o: CFLAGS += -Ibench/inproc
$(BUILD)/dpvs-bench-inproc: $(BENCH_INPROC_OBJS) $(LIBDPVSD)
	$(CC) $(CFLAGS) -o $@ $(BENCH_INPROC_OBJS) -Wl,--whole-archive $(LIBDPVSD) \
	  -Wl,--no-whole-archive $(LDLIBS) -lrte_net_ring

unit: $(BUILD)/unit_tests
	$(BUILD)/unit_tests $(if $(GTEST_FILTER),--gtest_filter=$(GTEST_FILTER))

# The whole suite: unit tests (normal and sanitizer builds) and integration tests.
check:
	$(MAKE) all $(BUILD)/unit_tests
	$(MAKE) SAN=1 all build-san/unit_tests
	bash test/run_all.sh

kmod:
	$(MAKE) -C kmod/toa

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)/etc $(DESTDIR)/lib/systemd/system
	install -m 0755 $(BUILD)/dpvsd $(BUILD)/ipvsadm $(BUILD)/dpip $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 conf/dpvsd.conf.sample $(DESTDIR)/etc/dpvsd.conf.sample
	test -e $(DESTDIR)/etc/dpvsd.conf || install -m 0644 conf/dpvsd.conf.sample $(DESTDIR)/etc/dpvsd.conf
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' conf/dpvsd.service > $(DESTDIR)/lib/systemd/system/dpvsd.service

deps:
	bash scripts/deps.sh

# The datapath benchmark's generator (bench/pktgen/, one DPDK lcore).
PKTGEN_SRCS := $(wildcard bench/pktgen/*.c)
$(BUILD)/dpvs-pktgen: $(call obj,$(PKTGEN_SRCS))
	$(CC) $(CFLAGS) -o $@ $^ $(DPDK_LIBS) -lpthread -lm

bench: all $(BUILD)/dpvs-pktgen
	bash scripts/bench/run.sh $(foreach p,$(PART),--part $(p))

# clang-tidy's bugprone checks (.clang-tidy: which, and why any is left out)
# over every C file of the daemon and the tools, with the DPDK cflags; our
# headers are reported, the system's and DPDK's are not.  Two files per
# clang-tidy run, two runs at a time; any warning fails.
TIDY_SRCS  = $(sort $(DAEMON_SRCS) src/main.c $(CLIENT_SRCS) $(IPVSADM_SRCS) tools/ipvsadm/main.c \
               $(DPIP_SRCS) tools/dpip/main.c)
TIDY_FLAGS = -std=c11 -D_GNU_SOURCE -I$(CURDIR)/include $(DPDK_CFLAGS) $(MHD_CFLAGS)
tidy:
	@printf '$(CURDIR)/%s\n' $(TIDY_SRCS) | xargs -P2 -n2 sh -c \
	  'clang-tidy --quiet --header-filter="^$(CURDIR)/(include|src|tools)/" "$$@" -- $(TIDY_FLAGS) 2>/dev/null' _ \
	  && echo "tidy: no warnings in $(words $(TIDY_SRCS)) files"

clean:
	rm -rf build build-san
	-$(MAKE) -C kmod/toa clean

# ---- libFuzzer targets (test/fuzz/, doc/testing.md) ----
# clang with -fsanitize=fuzzer,address,undefined into build-fuzz/, separate
# from the gcc builds: every source is compiled again with clang there.
FUZZ_BUILD  := build-fuzz
FUZZ_CC     ?= clang
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  = -O1 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Iinclude $(DPDK_CFLAGS) \
               $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP
FUZZ_LIB_SRCS := $(DAEMON_SRCS) $(CLIENT_SRCS) $(IPVSADM_SRCS) $(DPIP_SRCS)
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_ENV_OBJ  := $(FUZZ_BUILD)/obj/test/fuzz/fuzz_env.o
FUZZ_BINS     := $(patsubst test/fuzz/%.c,$(FUZZ_BUILD)/%,$(filter-out test/fuzz/fuzz_env.c,$(wildcard test/fuzz/fuzz_*.c)))

.PHONY: fuzz
.PRECIOUS: $(FUZZ_BUILD)/obj/%.o
fuzz: $(FUZZ_BINS)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/libfuzzdpvsd.a: $(FUZZ_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/test/fuzz/fuzz_%.o $(FUZZ_ENV_OBJ) $(FUZZ_BUILD)/libfuzzdpvsd.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< $(FUZZ_ENV_OBJ) \
	  -Wl,--whole-archive $(FUZZ_BUILD)/libfuzzdpvsd.a -Wl,--no-whole-archive $(LDLIBS)

-include $(shell find $(BUILD) $(FUZZ_BUILD) -name '*.d' 2>/dev/null)
