# The gateway's dataplane against the switch's: the same decision on the
# same random frames and table changes (diff), DPDK without hugepages.
$(call incdir,tests/dataplane,$(DPDK_CFLAGS) -Idataplane -Itests/common)
$(B)/tests/dataplane/diff: $(B)/san/tests/dataplane/diff.o $(LIBGW_SAN) \
	$(LIBSWITCH_SAN) $(LIBOSM_SAN)
$(B)/tests/dataplane/diff: LDLIBS = $(LIBS_DPDK) $(LIBS_SWITCH) $(LIBS_OSM)
$(B)/san/tests/dataplane/diff.o: | $(SWITCH_SKEL)

TESTS_NETNS += $(B)/tests/dataplane/diff
