# osm-fabric top-level build. Each part keeps its rules in <part>/build.mk;
# this file holds the toolchain, the shared pattern rules and the targets
# people type. `make help` lists them.

.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:
.DEFAULT_GOAL := all

V ?= 0
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

B       := build
CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool
PKGS    := libbpf libxdp libsodium lmdb libmnl jansson cmocka libpcap yaml-0.1

WARN    := -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
HOST_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -MMD -MP -D_GNU_SOURCE \
	-Iinclude -Ilib -I$(B) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
HOST_LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lelf -lz
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# Tests run sanitized: every object under $(B)/san is built with $(SAN).
SAN_CFLAGS := $(HOST_CFLAGS) $(SAN) -O1
# libFuzzer harnesses: objects under $(B)/fz carry coverage too.
FUZZ_CFLAGS := $(SAN_CFLAGS) -fsanitize=fuzzer-no-link

BPF_CFLAGS := -g -O2 -target bpf -D__bpf__ -D__TARGET_ARCH_x86 $(WARN) \
	-Wno-unused-function -Iinclude -Ibpf -I$(B)

# The host library, named here so that every build.mk can use these names
# in its rules whatever order the files are read in (lib/build.mk).
LIBOSM     := $(B)/libosm.a
LIBOSM_SAN := $(B)/san/libosm.a
LIBOSM_FZ  := $(B)/fz/libosm.a

# Filled in by the parts' build.mk files.
BINS    :=	# programs installed for users
TESTS   :=	# test programs and scripts run by `make check`, in order
FUZZERS :=	# libFuzzer harnesses, built by `make fuzz`
CHECK_DEPS :=	# extra things `make check` needs built

# ---- pattern rules --------------------------------------------------------

$(B)/%.o: %.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -c $< -o $@

$(B)/san/%.o: %.c
	$(call msg,CC-SAN,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) -c $< -o $@

$(B)/fz/%.o: %.c
	$(call msg,CC-FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(B)/vmlinux.h:
	$(call msg,BTF,$@)
	@mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(B)/bpf/%.bpf.o: bpf/%.bpf.c $(B)/vmlinux.h include/osm_proto.h
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(B)/bpf/%.skel.h: $(B)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# ---- parts ----------------------------------------------------------------

include $(sort $(wildcard */build.mk))

# ---- targets people type -------------------------------------------------

DEBIAN_PKGS := build-essential clang llvm pkg-config bpftool libbpf-dev \
	libxdp-dev xdp-tools libelf-dev zlib1g-dev dpdk dpdk-dev \
	libsodium-dev liblmdb-dev lmdb-utils libmnl-dev libjansson-dev \
	libyaml-dev libcmocka-dev libpcap-dev libclang-rt-14-dev \
	gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm \
	iproute2 ethtool procps jq python3 tcpdump tshark graphviz gnuplot-nox

.PHONY: all deps check demo bench fuzz clean help
all: $(BINS)

deps:
	@missing=$$(for p in $(DEBIAN_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS    installing:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends $$missing \
			>$(B)-deps.log 2>&1 || { tail -20 $(B)-deps.log; exit 1; }; \
	fi

# `make check` is the whole test suite; its last line is
# "N passed, N failed[, N skipped]".
check: deps
	$(Q)$(MAKE) -s --no-print-directory all $(filter $(B)/%,$(TESTS)) $(CHECK_DEPS)
	$(Q)tests/run $(TESTS)

demo: deps
	$(Q)$(MAKE) -s --no-print-directory all $(DEMO_DEPS)
	$(Q)$(DEMO_CMD)

bench: deps
	$(Q)$(MAKE) -s --no-print-directory all $(BENCH_DEPS)
	$(Q)$(BENCH_CMD)

FUZZ_SECONDS ?= 60
fuzz: deps
	$(Q)$(MAKE) -s --no-print-directory $(FUZZERS)
	$(Q)tests/fuzz-all $(FUZZ_SECONDS) $(FUZZERS)

clean:
	rm -rf $(B) $(B)-deps.log

help:
	@echo 'osm-fabric make targets:'
	@echo '  deps    install the Debian packages the project needs (if missing)'
	@echo '  all     build every program (default)'
	@echo '  check   build and run every test; ends "N passed, N failed"'
	@echo '  demo    a simulated building in network namespaces'
	@echo '  bench   benchmarks, as ratios against baselines from the same run'
	@echo '  fuzz    run each libFuzzer harness FUZZ_SECONDS (default 60) s'
	@echo '  clean   remove $(B)/'
	@echo 'V=1 shows full commands.'

-include $(shell find $(B) -name '*.d' 2>/dev/null)
