# The control plane end to end: buildings in network namespaces with real
# switches, the daemon and its socket, restarts, link watch, control
# circuits, firmware devices under the daemon (QEMU) and rebooted under
# traffic, the demo in short.
TESTS_NETNS += tests/engine/netns.sh tests/engine/demo_short.sh \
	tests/engine/daemon.sh tests/engine/restart.sh tests/engine/link.sh \
	tests/engine/ctl.sh tests/engine/metrics.sh
TESTS_NETNS += tests/engine/writer.sh tests/engine/endpoints.sh \
	tests/engine/operator.sh
TESTS_QEMU  += tests/engine/fw.sh tests/engine/fw-reboot.sh
CHECK_DEPS  += $(DEMO_DEPS)
