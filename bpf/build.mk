# Room switch XDP program (bpf/switch.bpf.c) and its skeleton for ctrl/.
# The skeleton is named switch_bpf: the pattern rule would name it after
# the stem, and `struct switch` is not valid C.
SWITCH_SKEL := $(B)/bpf/switch.skel.h
CTRL_GEN += $(B)/bpf/switch.skel.h

.SECONDARY: $(B)/bpf/switch.bpf.o
$(B)/bpf/switch.bpf.o: bpf/switch_maps.h

$(SWITCH_SKEL): $(B)/bpf/switch.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name switch_bpf > $@

# Tests of the program through BPF_PROG_TEST_RUN (sanitized, with the
# switch library from ctrl/).
# lib/build.mk comes later in the include order: name libosm by path.
SWITCH_TEST_OBJS := $(B)/san/tests/switch_util.o $(B)/san/ctrl/switch.o \
	$(B)/san/libosm.a
$(B)/san/ctrl/switch.o: | $(SWITCH_SKEL)
$(B)/san/tests/switch_%.o: SAN_CFLAGS += -Ictrl -Itests

$(B)/tests/switch_fixtures $(B)/tests/switch_replay: $(B)/tests/%: \
		$(B)/san/tests/%.o $(SWITCH_TEST_OBJS)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) $^ $(HOST_LDLIBS) -o $@

TESTS += $(B)/tests/switch_fixtures $(B)/tests/switch_replay
