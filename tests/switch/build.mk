# The room switch: fixtures, replay races and batch map writes through
# BPF_PROG_TEST_RUN in a private netns, end to end over veth, the CLI's
# error paths.
SWITCH_CTESTS := fixtures replay batch
$(SWITCH_CTESTS:%=$(B)/tests/switch/%): $(B)/tests/switch/%: \
	$(B)/san/tests/switch/%.o $(LIBSWITCH_SAN) $(LIBOSM_SAN)
$(B)/tests/switch/%: LDLIBS = $(LIBS_SWITCH) $(LIBS_OSM)
$(B)/tests/switch/fixtures: LDLIBS = $(LIBS_TEST) $(LIBS_SWITCH) $(LIBS_OSM)
$(SWITCH_CTESTS:%=$(B)/san/tests/switch/%.o): | $(SWITCH_SKEL)

TESTS_NETNS += $(SWITCH_CTESTS:%=$(B)/tests/switch/%) \
	tests/switch/netns.sh tests/switch/cli.sh
