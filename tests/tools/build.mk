# The tools: osm-pktgen's pcaps decoded by libosm (pcap-check) and by the
# tshark dissector, its live frames through the real switch, its options,
# `make bench` in short; `make install` and the documents it installs.
$(B)/tests/tools/pcap-check: $(B)/san/tests/tools/pcap_check.o $(LIBOSM_SAN)
$(B)/tests/tools/pcap-check: LDLIBS = $(call pc_libs,libpcap) $(LIBS_OSM)
$(B)/tests/tools/pktgen_switch: $(B)/san/tests/tools/pktgen_switch.o \
	$(LIBSWITCH_SAN) $(LIBOSM_SAN)
$(B)/tests/tools/pktgen_switch: LDLIBS = $(call pc_libs,jansson) $(LIBS_SWITCH) $(LIBS_OSM)
$(B)/san/tests/tools/pktgen_switch.o: | $(SWITCH_SKEL)

TESTS_UNIT  += tests/tools/install.sh
TESTS_NETNS += tests/tools/pktgen-dissect.sh $(B)/tests/tools/pktgen_switch \
	tests/tools/pktgen-live-opts.sh tests/tools/bench-short.sh \
	tests/tools/endpoint-recv.sh tests/tools/readme.sh
CHECK_DEPS  += $(B)/tests/tools/pcap-check $(PKTGEN) $(BENCH) $(BENCH_GW) \
	$(OSM_GW)
