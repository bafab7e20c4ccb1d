# Unit tests of the protocol header and the host library (sanitized), and
# the libFuzzer harnesses of the parsers.
UNIT_TESTS := siphash replay bucket frame msg packet
UNIT_BINS  := $(UNIT_TESTS:%=$(B)/tests/test_%)
VECTORS    := $(B)/tests/vectors

$(B)/tests/test_%: $(B)/san/tests/unit/test_%.o $(LIBOSM_SAN)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) $^ $(HOST_LDLIBS) -o $@

# The ```vector parser of docs/protocol.md, shared with the firmware's test.
VECTOR_DOC := $(B)/san/tests/vector/vector_doc.o
$(B)/san/tests/unit/vectors.o: SAN_CFLAGS += -Itests/vector

$(VECTORS): $(B)/san/tests/unit/vectors.o $(VECTOR_DOC) $(LIBOSM_SAN)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) $^ $(HOST_LDLIBS) -o $@

TESTS += $(filter-out %/test_packet,$(UNIT_BINS)) tests/unit/packet.sh tests/unit/vectors.sh tests/fuzz-replay.sh
CHECK_DEPS += $(VECTORS) $(B)/tests/test_packet $(FUZZERS)
$(B)/san/tests/%.o $(B)/san/tools/tests/%.o: SAN_CFLAGS += -Itests
