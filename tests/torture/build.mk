# The torture campaign (docs/reliability.md): hostile frames, killed
# processes, rebooted devices, exhausted resources, long fuzzing. Each
# campaign is a TAP test that also prints its figures, one a line:
#   # figure CAMPAIGN.NAME VALUE [what it counts]
# `make check` runs each short (seconds); `make torture` runs them whole
# (OSM_TORTURE=full) and prints the figures (tests/torture/run).
# Each campaign adds itself to TORTURE above the last line.
TORTURE :=

# Hostile frames at a live switch and at a gateway (osm-gw, its remote
# circuits carried to a second one), predicted frame by frame by a model
# of either (the host build of osm_decide).
$(call incdir,tests/torture,-Itests/common -Itools/pktgen -I$(B)/tools/pktgen)
$(B)/tests/torture/frames: $(B)/san/tests/torture/frames.o \
	$(B)/san/tools/pktgen/send.o $(LIBSWITCH_SAN) $(LIBOSM_SAN)
$(B)/tests/torture/frames: LDLIBS = $(call pc_libs,libxdp jansson) \
	$(LIBS_SWITCH) $(LIBS_OSM)
$(B)/san/tests/torture/frames.o: | $(SWITCH_SKEL) $(PKTGEN_SKEL)
TORTURE += tests/torture/frames.sh tests/torture/gateway.sh
CHECK_DEPS += $(B)/tests/torture/frames $(BENCH) $(OSM_GW)

# every libFuzzer harness for a set time (its binaries are in FUZZERS)
TORTURE += tests/torture/fuzz.sh

# devices rebooted and links flapped under traffic; maps, disk, events
# and the daemon's socket exhausted
TORTURE += tests/torture/devices.sh tests/torture/resources.sh

# the daemon killed at random and raced during event streams
TORTURE += tests/torture/control.sh
TESTS_NETNS += $(TORTURE)
