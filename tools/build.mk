# Perf tooling: osm-pktgen (traffic generator), the tshark dissector
# tools/osm.lua, and `make bench` (tools/bench/).
PKTGEN      := $(B)/osm-pktgen
PKTGEN_SRCS := $(filter-out %.bpf.c,$(wildcard tools/pktgen/*.c))
PKTGEN_OBJS := $(filter-out %/fuzz_mix.o,$(PKTGEN_SRCS:%.c=$(B)/%.o))

# -m live: live_xdp needs atomic fetch-and-add (BPF ISA v3).
PKTGEN_BPF  := $(B)/tools/pktgen/live.bpf.o
$(PKTGEN_BPF): BPF_CFLAGS += -mcpu=v3
$(PKTGEN_OBJS): HOST_CFLAGS += -Itools -I$(B)/tools/pktgen
$(PKTGEN_OBJS): | $(PKTGEN_BPF:.bpf.o=.skel.h)
BINS += $(PKTGEN)

$(PKTGEN): $(PKTGEN_OBJS) $(LIBOSM)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ $(HOST_LDLIBS) -lm -o $@

# Test oracle: decodes osm-pktgen pcaps with libosm (sanitized).
PCAP_CHECK := $(B)/tools/tests/pcap-check
$(PCAP_CHECK): $(B)/san/tools/tests/pcap_check.o $(LIBOSM_SAN)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) $^ $(HOST_LDLIBS) -o $@

CHECK_DEPS += $(PCAP_CHECK)
TESTS += tools/tests/pktgen-dissect.sh

# libFuzzer harness of the --mix parser and the generator behind it.
FUZZ_PKTGEN_MIX := $(B)/fuzz/fuzz-pktgen-mix
FUZZERS += $(FUZZ_PKTGEN_MIX)
CHECK_DEPS += $(FUZZ_PKTGEN_MIX)

$(FUZZ_PKTGEN_MIX): tools/pktgen/fuzz_mix.c tools/pktgen/gen.c $(LIBOSM_SAN)
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer $(filter %.c %.a,$^) $(HOST_LDLIBS) -o $@

# ---- make bench -------------------------------------------------------------
BENCH_BPF := $(B)/tools/bench/bench.bpf.o $(B)/tools/bench/baseline_redirect.bpf.o
BENCH_SKELS := $(BENCH_BPF:.bpf.o=.skel.h)
BENCH := $(B)/osm-bench

# BPF programs of the tools (bench, osm-pktgen -m live), with their
# skeletons named after the file's stem.
.SECONDARY: $(BENCH_BPF) $(PKTGEN_BPF)
$(B)/tools/%.bpf.o: tools/%.bpf.c $(B)/vmlinux.h include/osm_proto.h \
		tools/fresh.bpf.h
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Itools -MMD -MP -c $< -o $@

$(B)/tools/%.skel.h: $(B)/tools/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$(notdir $*)) > $@

BENCH_SRCS := tools/bench/bench.c tools/bench/util.c
$(BENCH_SRCS:%.c=$(B)/%.o): | $(BENCH_SKELS) $(SWITCH_SKEL)
$(BENCH_SRCS:%.c=$(B)/%.o): HOST_CFLAGS += -I$(B)/tools/bench -Ictrl -Itools

$(BENCH): $(BENCH_SRCS:%.c=$(B)/%.o) $(B)/ctrl/switch.o $(LIBOSM)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ $(HOST_LDLIBS) -o $@

# osm-pktgen against the real switch in a private netns.
PKTGEN_SWITCH_TEST := $(B)/tools/tests/pktgen_switch
$(B)/san/tools/tests/pktgen_switch.o $(B)/san/tools/bench/util.o: \
	SAN_CFLAGS += -Ictrl -Itools/bench
$(B)/san/tools/tests/pktgen_switch.o: | $(SWITCH_SKEL)
$(PKTGEN_SWITCH_TEST): $(B)/san/tools/tests/pktgen_switch.o \
		$(B)/san/tools/bench/util.o $(B)/san/ctrl/switch.o $(LIBOSM_SAN)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) $^ $(HOST_LDLIBS) -o $@

CHECK_DEPS += $(PKTGEN) $(BENCH)
TESTS += $(PKTGEN_SWITCH_TEST) tools/tests/pktgen-live-opts.sh

BENCH_DEPS += $(PKTGEN) $(BENCH)
BENCH_CMD := tools/bench/bench.sh
TESTS += tools/tests/bench-short.sh
