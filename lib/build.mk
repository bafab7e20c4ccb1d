# Host library libosm: endpoint seal/open, keys, control messages, packet
# I/O, hex. Every host program links $(LIBOSM); tests link $(LIBOSM_SAN).
LIBOSM_SRCS := $(wildcard lib/*.c)
LIBOSM      := $(B)/libosm.a
LIBOSM_SAN  := $(B)/san/libosm.a

$(LIBOSM): $(LIBOSM_SRCS:%.c=$(B)/%.o)
	$(call msg,AR,$@)
	$(Q)ar rcs $@ $^

$(LIBOSM_SAN): $(LIBOSM_SRCS:%.c=$(B)/san/%.o)
	$(call msg,AR,$@)
	$(Q)ar rcs $@ $^
