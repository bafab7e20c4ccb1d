# The gateway's dataplane against the switch's: the same decision on the
# same random frames and table changes (diff), DPDK without hugepages.
$(call incdir,tests/dataplane,$(DPDK_CFLAGS) -Idataplane -Itests/common)
$(B)/tests/dataplane/diff: $(B)/san/tests/dataplane/diff.o $(LIBGW_SAN) \
	$(LIBSWITCH_SAN) $(LIBOSM_SAN)
$(B)/tests/dataplane/diff: LDLIBS = $(LIBS_DPDK) $(LIBS_SWITCH) $(LIBS_OSM)
$(B)/san/tests/dataplane/diff.o: | $(SWITCH_SKEL)

# The link between gateways: docs/protocol.md 11.8 byte for byte, and
# the rules of its messages.
$(B)/tests/dataplane/link: $(B)/san/tests/dataplane/link.o $(VECTOR_DOC) \
	$(LIBGW_SAN) $(LIBOSM_SAN)
$(B)/tests/dataplane/link: LDLIBS = $(LIBS_OSM)
# Two gateways' peer state machines over a wire in memory.
$(B)/tests/dataplane/peer: $(B)/san/tests/dataplane/peer.o $(LIBGW_SAN) \
	$(LIBOSM_SAN)
$(B)/tests/dataplane/peer: LDLIBS = $(LIBS_OSM)

TESTS_UNIT  += $(B)/tests/dataplane/peer
TESTS_NETNS += $(B)/tests/dataplane/diff
TESTS_SPEC  += tests/dataplane/link.sh
CHECK_DEPS  += $(B)/tests/dataplane/link

# Two buildings' gateways over a veth WAN: remote circuits cross byte for
# byte, others never; forged packets counted; rotation and restart; the
# link set by peer requests; two buildings with a controller each
# (remote.sh).
TESTS_NETNS += tests/dataplane/gw.sh tests/dataplane/gw6.sh \
	tests/dataplane/gwpeer.sh tests/dataplane/remote.sh
CHECK_DEPS  += $(OSM_GW) $(OSM_ENDPOINT) $(OSM_FABRIC)
