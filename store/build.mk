# The store library (store/*.c) is linked into osm-fabric by ctrl/build.mk;
# here: its include path, a sanitized archive for tests, tests, fuzzers.
STORE_SRCS := $(wildcard store/*.c)
STORE_SAN  := $(B)/san/libosmstore.a

$(B)/ctrl/%.o $(B)/store/%.o: HOST_CFLAGS += -Istore
$(B)/san/store/%.o $(B)/san/tests/store/%.o: SAN_CFLAGS += -Istore

$(STORE_SAN): $(STORE_SRCS:%.c=$(B)/san/%.o)
	$(call msg,AR,$@)
	$(Q)ar rcs $@ $^

# ---- tests -----------------------------------------------------------------
STORE_TEST_LIBS = $(B)/san/tests/store/helpers.o $(STORE_SAN) $(LIBOSM_SAN) \
	$(HOST_LDLIBS)
STORE_CTESTS := $(addprefix $(B)/tests/store/,test_store test_audit test_keys test_forget \
	test_owned)

$(B)/tests/store/%: $(B)/san/tests/store/%.o $(B)/san/tests/store/helpers.o \
		$(STORE_SAN) $(LIBOSM_SAN)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) $< $(STORE_TEST_LIBS) -o $@

TESTS += $(STORE_CTESTS)
TESTS += tests/store/topology.sh

# ---- fuzzers: the harness and the store's sources, built with coverage --
STORE_FUZZERS := $(B)/fuzz/fuzz-topology $(B)/fuzz/fuzz-store-records
FUZZ_CFLAGS = $(filter-out -MMD -MP -O2,$(HOST_CFLAGS)) -Istore -O1 \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZERS += $(STORE_FUZZERS)

$(STORE_FUZZERS): $(B)/fuzz/%: store/fuzz/%.c $(STORE_SRCS) $(LIBOSM_SAN) \
		$(wildcard store/*.h)
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $< $(STORE_SRCS) $(LIBOSM_SAN) \
		$(HOST_LDLIBS) -o $@

# make check replays the committed seed corpora
CHECK_DEPS += $(STORE_FUZZERS)

# crash test: a writer killed with SIGKILL, checked after each kill
CHECK_DEPS += $(B)/tests/store/crash_writer
TESTS += tests/store/crash.sh
TESTS += tests/store/cli.sh
