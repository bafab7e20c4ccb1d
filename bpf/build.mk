# The room switch: the XDP program (switch.bpf.c, maps in switch_maps.h)
# and the switch library that loads and drives it (switch.c: load, pin,
# map writes, stats; xdp_run.c: the program run outside of traffic),
# linked by osm-fabric, the tools and the tests.
SWITCH_SKEL := $(B)/bpf/switch.skel.h
$(SWITCH_SKEL): SKEL_NAME := switch_bpf

LIBSWITCH_SRCS := bpf/switch.c bpf/xdp_run.c
$(LIBSWITCH):     $(LIBSWITCH_SRCS:%.c=$(B)/%.o)
$(LIBSWITCH_SAN): $(LIBSWITCH_SRCS:%.c=$(B)/san/%.o)
$(B)/bpf/switch.o $(B)/san/bpf/switch.o: | $(SWITCH_SKEL)
