# libosm, the host endpoint library: frames sealed and opened, keys,
# control messages, AF_PACKET I/O, hex and numbers from the command line,
# provisioning blobs. Every host program links it.
LIBOSM_SRCS := $(wildcard lib/*.c)

$(LIBOSM):     $(LIBOSM_SRCS:%.c=$(B)/%.o)
$(LIBOSM_SAN): $(LIBOSM_SRCS:%.c=$(B)/san/%.o)
$(LIBOSM_FZ):  $(LIBOSM_SRCS:%.c=$(B)/fz/%.o)
