# The store: the building's state in LMDB (libosmstore, store/osmdb.h).
LIBSTORE_SRCS := $(wildcard store/*.c)

$(LIBSTORE):     $(LIBSTORE_SRCS:%.c=$(B)/%.o)
$(LIBSTORE_SAN): $(LIBSTORE_SRCS:%.c=$(B)/san/%.o)
$(LIBSTORE_FZ):  $(LIBSTORE_SRCS:%.c=$(B)/fz/%.o)
