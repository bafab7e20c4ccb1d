# osm-fabric, the control plane: the CLI (main.c: the command table,
# cmd_*.c: one subcommand a file, cli*.c: what they share), the engine
# (ctrl/engine/, public header engine.h) and the daemon's parts
# (ctrl/daemon/: its line protocol and the devices' controller).
OSM_FABRIC  := $(B)/osm-fabric
ENGINE_SRCS := $(wildcard ctrl/engine/*.c)
CTRL_SRCS   := $(wildcard ctrl/*.c ctrl/daemon/*.c) $(ENGINE_SRCS)
BINS        += $(OSM_FABRIC)
INSTALL_SBIN += $(OSM_FABRIC)
# bash completion, installed as BASHCOMPDIR/osm-fabric
COMPLETION  := ctrl/osm-fabric.bash

$(call incdir,ctrl,-Ictrl -Ictrl/engine -Ictrl/daemon)
$(CTRL_SRCS:%.c=$(B)/%.o): | $(SWITCH_SKEL)

$(OSM_FABRIC): $(CTRL_SRCS:%.c=$(B)/%.o) $(LIBSTORE) $(LIBSWITCH) $(LIBOSM)
$(OSM_FABRIC): LDLIBS = $(LIBS_CTRL) $(LIBS_STORE) $(LIBS_SWITCH) $(LIBS_OSM)

DEMO_DEPS += $(OSM_FABRIC)
