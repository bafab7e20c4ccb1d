# libFuzzer harnesses, one a parser: $(B)/fuzz/fuzz_NAME from
# tests/fuzz/fuzz_NAME.c, its corpus in tests/corpus/fuzz_NAME/. `make
# fuzz` grows the corpora; `make check` replays them (fuzz-replay.sh).
$(call incdir,tests/fuzz,-Ifirmware -Ictrl -Ictrl/engine -Ictrl/daemon \
	-Itools/pktgen -I$(B)/tools/pktgen -Idataplane)
FUZZ_LIB := arg frame hex msg key_file
$(FUZZ_LIB:%=$(B)/fuzz/fuzz_%): $(B)/fuzz/%: $(B)/fz/tests/fuzz/%.o \
	$(LIBOSM_FZ)
$(B)/fuzz/fuzz_topology $(B)/fuzz/fuzz_store_records \
	$(B)/fuzz/fuzz_audit_archive: $(B)/fuzz/%: \
	$(B)/fz/tests/fuzz/%.o $(LIBSTORE_FZ) $(LIBOSM_FZ)
$(B)/fuzz/fuzz_daemon_line: $(B)/fz/tests/fuzz/fuzz_daemon_line.o \
	$(B)/fz/ctrl/daemon/line.o $(LIBSTORE_FZ) $(LIBOSM_FZ)
$(B)/fuzz/fuzz_http: $(B)/fz/tests/fuzz/fuzz_http.o \
	$(B)/fz/ctrl/daemon/http.o $(LIBOSM_FZ)
$(B)/fuzz/fuzz_fw_rx: $(B)/fz/tests/fuzz/fuzz_fw_rx.o \
	$(B)/fz/firmware/app.o $(B)/fz/firmware/circuit.o \
	$(B)/fz/firmware/chachapoly.o $(LIBOSM_FZ)
$(B)/fuzz/fuzz_fw_blob: $(B)/fz/tests/fuzz/fuzz_fw_blob.o \
	$(B)/fz/firmware/app.o $(B)/fz/firmware/circuit.o \
	$(B)/fz/firmware/chachapoly.o $(LIBOSM_FZ)
$(B)/fuzz/fuzz_gw_link: $(B)/fz/tests/fuzz/fuzz_gw_link.o \
	$(B)/fz/dataplane/gw_link.o $(B)/fz/dataplane/gw_peer.o \
	$(B)/fz/dataplane/gw_outer.o $(LIBOSM_FZ)
$(B)/fuzz/fuzz_gw_ctl: $(B)/fz/tests/fuzz/fuzz_gw_ctl.o \
	$(B)/fz/dataplane/gw_ctl.o $(B)/fz/dataplane/gw_outer.o $(LIBOSM_FZ)
$(B)/fuzz/fuzz_pktgen_mix: $(B)/fz/tests/fuzz/fuzz_pktgen_mix.o \
	$(B)/fz/tools/pktgen/gen.o $(LIBOSM_FZ)
# The engine (and the switch library under it, whose switches the
# harnesses never load) for the harnesses of what runs on it.
LIBSWITCH_FZ := $(B)/fz/libosmswitch.a
$(LIBSWITCH_FZ): $(LIBSWITCH_SRCS:%.c=$(B)/fz/%.o)
$(LIBSWITCH_SRCS:%.c=$(B)/fz/%.o) $(ENGINE_SRCS:%.c=$(B)/fz/%.o): \
	| $(SWITCH_SKEL)
ENGINE_FZ := $(ENGINE_SRCS:%.c=$(B)/fz/%.o) $(LIBSTORE_FZ) $(LIBSWITCH_FZ) \
	$(LIBOSM_FZ)
FUZZ_ENGINE := cli_reply ctl_frames link_msgs
$(B)/fuzz/fuzz_cli_reply: $(B)/fz/tests/fuzz/fuzz_cli_reply.o \
	$(addprefix $(B)/fz/ctrl/,cli.o cli_engine.o cli_store.o cli_switch.o) \
	$(ENGINE_FZ)
$(B)/fuzz/fuzz_ctl_frames: $(B)/fz/tests/fuzz/fuzz_ctl_frames.o \
	$(B)/fz/ctrl/daemon/controller.o $(ENGINE_FZ)
$(B)/fuzz/fuzz_link_msgs: $(B)/fz/tests/fuzz/fuzz_link_msgs.o $(ENGINE_FZ)
$(B)/fuzz/%: LDLIBS = $(LIBS_OSM)
$(B)/fuzz/fuzz_topology $(B)/fuzz/fuzz_store_records \
	$(B)/fuzz/fuzz_audit_archive: \
	LDLIBS = $(LIBS_STORE) $(LIBS_OSM)
$(FUZZ_ENGINE:%=$(B)/fuzz/fuzz_%): LDLIBS = $(LIBS_CTRL) $(LIBS_STORE) \
	$(LIBS_SWITCH) $(LIBS_OSM) -lpthread

FUZZERS    += $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/*.c))
TESTS_FUZZ += tests/fuzz-replay.sh
