# The gateway's dataplane on DPDK: its circuit table (gw_table.c: rte_hash
# read without locks, RCU-freed values), its per-frame decision
# (gw_frame.c: osm_decide from include/osm_proto.h, as the switch runs
# it) and the link between buildings (gw_link.c: keys, handshake, DATA;
# libsodium), in libosmgw for osm-gw and the tests.
DPDK_CFLAGS := $(call pc_cflags,libdpdk)
LIBS_DPDK   := $(call pc_libs,libdpdk)
$(call incdir,dataplane,$(DPDK_CFLAGS) -Idataplane)

LIBGW      := $(B)/libosmgw.a
LIBGW_SAN  := $(B)/san/libosmgw.a
LIBGW_SRCS := dataplane/gw_table.c dataplane/gw_frame.c dataplane/gw_link.c \
	dataplane/gw_peer.c dataplane/gw_outer.c dataplane/gw_ctl.c
$(LIBGW):     $(LIBGW_SRCS:%.c=$(B)/%.o)
$(LIBGW_SAN): $(LIBGW_SRCS:%.c=$(B)/san/%.o)

# osm-gw, the gateway: the lcore's loop, the ports, the control socket.
OSM_GW := $(B)/osm-gw
BINS   += $(OSM_GW)
INSTALL_SBIN += $(OSM_GW)
$(OSM_GW): $(B)/dataplane/osm_gw.o $(LIBGW) $(LIBOSM)
$(OSM_GW): LDLIBS = $(LIBS_DPDK) $(LIBS_OSM)
