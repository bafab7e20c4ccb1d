# osm-fabric, the control tool: ctrl/*.c and the store library store/*.c.
# Parts that generate headers it includes (BPF skeletons) add them to
# CTRL_GEN.
OSM_FABRIC := $(B)/osm-fabric
CTRL_SRCS  := $(wildcard ctrl/*.c) $(wildcard store/*.c)
BINS += $(OSM_FABRIC)

$(CTRL_SRCS:%.c=$(B)/%.o): | $(CTRL_GEN)

$(OSM_FABRIC): $(CTRL_SRCS:%.c=$(B)/%.o) $(LIBOSM)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ $(HOST_LDLIBS) -o $@

# The engine: end to end in a two-room building in namespaces.
TESTS += tests/engine_netns.sh
TESTS += tests/demo_short.sh

# make demo: the building demo (replaces the one-switch interim demo).
DEMO_DEPS += $(OSM_FABRIC) $(OSM_ENDPOINT)
DEMO_CMD := tools/building-demo.sh

# The daemon: its socket protocol, and the line parser's fuzz harness.
TESTS += tests/engine_daemon.sh
ENGINE_FUZZER := $(B)/fuzz/fuzz-engine-line
FUZZERS += $(ENGINE_FUZZER)
CHECK_DEPS += $(ENGINE_FUZZER)
$(ENGINE_FUZZER): ctrl/fuzz/fuzz-engine-line.c ctrl/engine_line.c \
		ctrl/engine_line.h $(wildcard store/*.c) $(LIBOSM_SAN)
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(filter-out -MMD -MP -O2,$(HOST_CFLAGS)) -Ictrl -Istore \
		-O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(filter %.c,$^) $(LIBOSM_SAN) \
		$(HOST_LDLIBS) -o $@
TESTS += tests/engine_restart.sh
TESTS += tests/engine_link.sh
TESTS += tests/engine_ctl.sh
