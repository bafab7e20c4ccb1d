# The store: its API (cmocka, sanitized, on example stores from
# helpers.c), topologies and the CLI on files, writers killed mid-commit.
STORE_CTESTS := test_store test_audit test_keys test_forget test_owned
$(STORE_CTESTS:%=$(B)/tests/store/%) $(B)/tests/store/crash_writer: \
	$(B)/tests/store/%: $(B)/san/tests/store/%.o \
	$(B)/san/tests/store/helpers.o $(LIBSTORE_SAN) $(LIBOSM_SAN)
$(B)/tests/store/%: LDLIBS = $(LIBS_TEST) $(LIBS_STORE) $(LIBS_OSM)

TESTS_UNIT += $(STORE_CTESTS:%=$(B)/tests/store/%) tests/store/topology.sh \
	tests/store/crash.sh tests/store/cli.sh tests/store/diskfull.sh
CHECK_DEPS += $(B)/tests/store/crash_writer
