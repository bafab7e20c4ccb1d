# Tools: the host endpoint osm-endpoint, the traffic generator osm-pktgen
# (tools/pktgen/), the tshark dissector tools/osm.lua, the benchmark
# osm-bench and `make bench` (tools/bench/), the demo building.
OSM_ENDPOINT := $(B)/osm-endpoint
PKTGEN       := $(B)/osm-pktgen
BENCH        := $(B)/osm-bench
BENCH_EVENTS := $(B)/osm-bench-events
BENCH_GW     := $(B)/osm-bench-gw
BINS         += $(OSM_ENDPOINT) $(PKTGEN) $(BENCH) $(BENCH_EVENTS) $(BENCH_GW)
# osm-bench, osm-bench-events and osm-bench-gw are parts of `make bench`:
# not installed.
INSTALL_BIN  += $(OSM_ENDPOINT) $(PKTGEN)
DISSECTOR    := tools/osm.lua
DEMO_DEPS    += $(OSM_ENDPOINT)
BENCH_DEPS   += $(PKTGEN) $(BENCH) $(BENCH_EVENTS) $(BENCH_GW) $(OSM_GW)

# BPF programs of the tools share tools/fresh.bpf.h.
$(B)/tools/%.bpf.o: EXTRA_BPF_CFLAGS += -Itools

$(OSM_ENDPOINT): $(B)/tools/osm-endpoint.o $(B)/tools/endpoint_join.o \
	$(LIBOSM)
$(OSM_ENDPOINT): LDLIBS = $(LIBS_OSM)

PKTGEN_SRCS := $(filter-out %.bpf.c,$(wildcard tools/pktgen/*.c))
PKTGEN_SKEL := $(B)/tools/pktgen/live.skel.h
$(call incdir,tools/pktgen,-I$(B)/tools/pktgen)
$(PKTGEN_SRCS:%.c=$(B)/%.o) $(PKTGEN_SRCS:%.c=$(B)/san/%.o) \
	$(PKTGEN_SRCS:%.c=$(B)/fz/%.o): | $(PKTGEN_SKEL)

$(PKTGEN): $(PKTGEN_SRCS:%.c=$(B)/%.o) $(LIBOSM)
$(PKTGEN): LDLIBS = $(call pc_libs,libxdp jansson libpcap) $(LIBS_SWITCH) \
	$(LIBS_OSM) -lm

BENCH_SKELS := $(B)/tools/bench/bench.skel.h \
	$(B)/tools/bench/baseline_redirect.skel.h
$(call incdir,tools/bench,-I$(B)/tools/bench -Ictrl/engine)
$(B)/tools/bench/bench.o: | $(BENCH_SKELS) $(SWITCH_SKEL)

$(BENCH): $(B)/tools/bench/bench.o $(LIBSWITCH) $(LIBOSM)
$(BENCH): LDLIBS = $(LIBS_SWITCH) $(LIBS_OSM)

# The store over a long life: the engine driven in-process (events.c).
$(B)/tools/bench/events.o: | $(SWITCH_SKEL)
$(BENCH_EVENTS): $(B)/tools/bench/events.o $(ENGINE_SRCS:%.c=$(B)/%.o) \
	$(LIBSTORE) $(LIBSWITCH) $(LIBOSM)
$(BENCH_EVENTS): LDLIBS = $(LIBS_CTRL) $(LIBS_STORE) $(LIBS_SWITCH) \
	$(LIBS_OSM)

# The gateway's decision on frames in memory (part of row (5)): libosmgw,
# DPDK.
$(B)/tools/bench/gw_decide.o: EXTRA_CFLAGS += $(DPDK_CFLAGS) -Idataplane
$(BENCH_GW): $(B)/tools/bench/gw_decide.o $(LIBGW) $(LIBOSM)
$(BENCH_GW): LDLIBS = $(LIBS_DPDK) $(LIBS_OSM)
