# Host library libosm: endpoint seal/open, keys, control messages, packet
# I/O, hex. Every host program links $(LIBOSM); tests link $(LIBOSM_SAN).
LIBOSM_SRCS := $(wildcard lib/*.c)

$(LIBOSM): $(LIBOSM_SRCS:%.c=$(B)/%.o)
	$(call msg,AR,$@)
	$(Q)ar rcs $@ $^

$(LIBOSM_SAN): $(LIBOSM_SRCS:%.c=$(B)/san/%.o)
	$(call msg,AR,$@)
	$(Q)ar rcs $@ $^

$(LIBOSM_FZ): $(LIBOSM_SRCS:%.c=$(B)/fz/%.o)
	$(call msg,AR,$@)
	$(Q)ar rcs $@ $^

# libFuzzer harnesses of the library's parsers; corpora in tests/corpus/.
LIB_FUZZERS := $(patsubst lib/fuzz/%.c,$(B)/fuzz/%,$(wildcard lib/fuzz/*.c))
FUZZERS += $(LIB_FUZZERS)

$(LIB_FUZZERS): $(B)/fuzz/%: $(B)/fz/lib/fuzz/%.o $(LIBOSM_FZ)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(HOST_LDLIBS) -o $@
