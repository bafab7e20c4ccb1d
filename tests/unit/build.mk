# Unit tests of the protocol header and libosm (cmocka, sanitized), its
# AF_PACKET I/O over a veth pair, and docs/protocol.md's worked examples.
UNIT_TESTS := siphash replay window bucket frame msg
$(UNIT_TESTS:%=$(B)/tests/unit/test_%) $(B)/tests/unit/test_packet: \
	$(B)/tests/unit/%: $(B)/san/tests/unit/%.o $(LIBOSM_SAN)
$(B)/tests/unit/%: LDLIBS = $(LIBS_TEST) $(LIBS_OSM)
$(B)/tests/unit/vectors: LDLIBS = $(LIBS_OSM)

$(B)/tests/unit/vectors: $(B)/san/tests/unit/vectors.o $(VECTOR_DOC) \
	$(LIBOSM_SAN)

TESTS_UNIT  += $(UNIT_TESTS:%=$(B)/tests/unit/test_%)
TESTS_SPEC  += tests/unit/vectors.sh
TESTS_NETNS += tests/unit/packet.sh
CHECK_DEPS  += $(B)/tests/unit/vectors $(B)/tests/unit/test_packet
