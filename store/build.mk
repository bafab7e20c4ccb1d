# The store library (store/*.c) is linked into osm-fabric by ctrl/build.mk;
# here: its include path, a sanitized archive for tests, tests, fuzzers.
STORE_SRCS := $(wildcard store/*.c)
STORE_SAN  := $(B)/san/libosmstore.a

$(B)/ctrl/%.o $(B)/store/%.o: HOST_CFLAGS += -Istore
$(B)/san/store/%.o $(B)/san/tests/store/%.o: SAN_CFLAGS += -Istore

$(STORE_SAN): $(STORE_SRCS:%.c=$(B)/san/%.o)
	$(call msg,AR,$@)
	$(Q)ar rcs $@ $^

# ctrl/build.mk is read before lib/build.mk defines $(LIBOSM), so its
# prerequisite list misses the library: add it here (the recipe links $^).
$(OSM_FABRIC): $(LIBOSM)

# ---- tests -----------------------------------------------------------------
STORE_TEST_LIBS = $(B)/san/tests/store/helpers.o $(STORE_SAN) $(LIBOSM_SAN) \
	$(HOST_LDLIBS)
STORE_CTESTS := $(B)/tests/store/test_store

$(B)/tests/store/%: $(B)/san/tests/store/%.o $(B)/san/tests/store/helpers.o \
		$(STORE_SAN) $(LIBOSM_SAN)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) $< $(STORE_TEST_LIBS) -o $@

TESTS += $(STORE_CTESTS)
TESTS += tests/store/topology.sh
