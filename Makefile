# osm-fabric top-level build: the targets people type. The rules are
# written once in mk/rules.mk; each part's build.mk only declares, adding
# to the lists below. `make help` lists the targets.

.DEFAULT_GOAL := all
include mk/rules.mk
include mk/install.mk

# Filled in by the parts' build.mk files.
BINS        :=	# programs ($(B)/osm-*), built by `make`
INSTALL_SBIN :=	# of BINS, what `make install` puts in SBINDIR (admin)
INSTALL_BIN  :=	# and in BINDIR (users); the rest serve `make bench`
DISSECTOR   :=	# the tshark dissector, which `make install` installs
COMPLETION  :=	# osm-fabric's bash completion, which it installs too
# Tests that `make check` runs, in this order of kinds:
TESTS_UNIT  :=	# the header, the libraries, the CLI on files
TESTS_SPEC  :=	# docs/protocol.md's worked examples
TESTS_FUZZ  :=	# every fuzz harness over its committed corpus
TESTS_NETNS :=	# BPF programs, veth ports, network namespaces
TESTS_QEMU  :=	# firmware images under QEMU
FUZZERS     :=	# libFuzzer harnesses ($(B)/fuzz/*), built by `make fuzz`
CHECK_DEPS  :=	# other things the tests run
DEMO_DEPS   :=	# what `make demo` runs
BENCH_DEPS  :=	# what `make bench` runs

# The tests' parts, in the order their tests run within each kind.
TEST_PARTS := unit layout store firmware switch engine tools fuzz
include $(sort $(wildcard */build.mk)) $(TEST_PARTS:%=tests/%/build.mk) \
	$(filter-out $(TEST_PARTS:%=tests/%/build.mk),$(wildcard tests/*/build.mk))

TESTS := $(TESTS_UNIT) $(TESTS_SPEC) $(TESTS_FUZZ) $(TESTS_NETNS) $(TESTS_QEMU)

# ---- targets people type ---------------------------------------------------

DEBIAN_PKGS := build-essential clang llvm pkg-config bpftool libbpf-dev \
	libxdp-dev xdp-tools libelf-dev zlib1g-dev dpdk dpdk-dev \
	libsodium-dev liblmdb-dev lmdb-utils libmnl-dev libjansson-dev \
	libyaml-dev libcmocka-dev libpcap-dev libclang-rt-14-dev \
	gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm \
	iproute2 ethtool procps jq python3 tcpdump tshark graphviz gnuplot-nox \
	man-db prometheus spin

.PHONY: all deps check demo bench fuzz torture model clean help firmware \
	firmware-size install uninstall
all: $(BINS)

deps:
	@missing=$$(for p in $(DEBIAN_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS    installing:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && \
		apt-get install -y -qq --no-install-recommends $$missing \
			>$(B)-deps.log 2>&1 || { tail -20 $(B)-deps.log; exit 1; }; \
		case " $$missing " in *" prometheus "*) \
			$(PROMETHEUS_OFF);; esac; \
	fi

# prometheus is here for promtool (the metrics tests). Its package
# enables prometheus.service and starts it (a server on :9090 that
# scrapes itself and localhost:9100): when `make deps` installed it, it
# is stopped and disabled again. (In a container whose policy-rc.d
# forbids starting services, it never ran.)
PROMETHEUS_OFF := { systemctl disable --now prometheus.service || \
	{ systemctl disable prometheus.service; \
	  service prometheus stop; }; } >/dev/null 2>&1; \
	echo "  DEPS    prometheus: server stopped and disabled (for promtool only)"

# `make check` is the whole test suite; its last line is
# "N passed, N failed[, N skipped]". T=NAME runs the tests whose path
# holds NAME (tests/run -k).
check: deps
	$(Q)$(MAKE) -s --no-print-directory all $(filter $(B)/%,$(TESTS)) \
		$(FUZZERS) $(CHECK_DEPS)
	$(Q)OSM_TEST_NO_SKIP=1 tests/run $(if $(T),-k '$(T)') $(TESTS)

demo: deps
	$(Q)$(MAKE) -s --no-print-directory all $(DEMO_DEPS)
	$(Q)tools/building-demo.sh

bench: deps
	$(Q)$(MAKE) -s --no-print-directory all $(BENCH_DEPS)
	$(Q)tools/bench/bench.sh

# `make torture`: the whole campaign of tests/torture/ (about an hour),
# ending with its figures; docs/reliability.md says what they mean.
torture: deps
	$(Q)$(MAKE) -s --no-print-directory all $(FUZZERS) $(CHECK_DEPS)
	$(Q)tests/torture/run $(TORTURE)

# `make model`: spin checks the lock-free replay window's algorithm
# (tools/model/window.pml) on 1, 2 and 3 CPUs, a few minutes; make check
# runs the quick part.
model: deps
	$(Q)tools/model/check.sh

FUZZ_SECONDS ?= 60
fuzz: deps
	$(Q)$(MAKE) -s --no-print-directory $(FUZZERS)
	$(Q)tests/fuzz-all $(FUZZ_SECONDS) $(FUZZERS)

# `make firmware` builds the role images; with DEVICE=NAME it also writes
# the provisioned image $(B)/firmware/devices/NAME.elf, its blob from
#   the store:  make firmware DEVICE=door1 [STORE=DIR] [EPOCH=E]
#               [CTRL_MAC=..] [PEER_MAC=..]   (osm-fabric device provision)
#   osm-mkblob: make firmware DEVICE=door1 ROLE=door ID=7 KEY=door1.key \
#               MAC=52:54:00:00:00:07 CTRL_MAC=02:00:00:00:0f:01 \
#               [PEER_MAC=..] [EPOCH=1]   (ROOT_KEY=FILE instead of KEY)
#   a file:     make firmware DEVICE=door1 BLOB=door1.blob
# The role image comes from the blob's role byte (5: lamp, 6: door).
FW_DEV_DIR  := $(B)/firmware/devices
FW_DEV_BLOB  = $(or $(BLOB),$(FW_DEV_DIR)/$(DEVICE).blob)
firmware: $(FW_IMAGES) $(OSM_MKBLOB) $(if $(DEVICE),$(OSM_FABRIC))
ifneq ($(DEVICE),)
	@mkdir -p $(FW_DEV_DIR)
ifneq ($(BLOB),)
else ifneq ($(ID),)
	$(call msg,BLOB,$(FW_DEV_BLOB))
	$(Q)$(OSM_MKBLOB) --id '$(ID)' --role '$(ROLE)' \
		$(if $(ROOT_KEY),--root-key-file '$(ROOT_KEY)',--device-key-file '$(KEY)') \
		--mac '$(MAC)' --ctrl-mac '$(CTRL_MAC)' \
		$(if $(PEER_MAC),--peer-mac '$(PEER_MAC)') \
		$(if $(EPOCH),--epoch '$(EPOCH)') -o $(FW_DEV_BLOB)
else
	$(call msg,BLOB,$(FW_DEV_BLOB))
	$(Q)$(OSM_FABRIC) $(if $(STORE),--store '$(STORE)') device provision \
		'$(DEVICE)' -o $(FW_DEV_BLOB) --force \
		$(if $(EPOCH),--epoch '$(EPOCH)') \
		$(if $(CTRL_MAC),--ctrl-mac '$(CTRL_MAC)') \
		$(if $(PEER_MAC),--peer-mac '$(PEER_MAC)') >/dev/null
endif
	$(call msg,FW-PROV,$(FW_DEV_DIR)/$(DEVICE).elf)
	$(Q)case $$(od -An -tu1 -j5 -N1 '$(FW_DEV_BLOB)' | tr -d ' ') in \
		5) role=lamp;; 6) role=door;; \
		*) echo "make firmware: $(FW_DEV_BLOB) is no door or lamp blob" >&2; \
		   exit 1;; esac; \
		umask 077 && $(FW_OBJCOPY) \
		--update-section .provision='$(FW_DEV_BLOB)' \
		$(B)/firmware/$$role.elf $(FW_DEV_DIR)/$(DEVICE).elf
endif

# Flash and RAM of each role image against the budget; fails when over.
firmware-size: $(FW_IMAGES) $(OSM_MKBLOB) $(B)/tests/firmware/fw-ctl
	$(Q)tests/firmware/size.sh >$(B)/firmware/size.tap; rc=$$?; \
		sed -n 's/^# //p; /^not ok/p' $(B)/firmware/size.tap; exit $$rc

# `make install [PREFIX=/usr/local] [DESTDIR=DIR]`: the programs, man
# pages, tshark dissector and bash completion; BINDIR, SBINDIR, MANDIR,
# WIRESHARK_PLUGINDIR, BASHCOMPDIR... say where (mk/install.mk).
install: $(INSTALL_SBIN) $(INSTALL_BIN)
	$(install_recipe)

uninstall:
	$(uninstall_recipe)

clean:
	rm -rf $(B) $(B)-deps.log

help:
	@echo 'osm-fabric make targets:'
	@echo '  deps           install the Debian packages the project needs (if missing)'
	@echo '  all            build every program (default)'
	@echo '  check          build and run every test; ends "N passed, N failed"'
	@echo '                 (T=NAME: only the tests whose path holds NAME)'
	@echo '  demo           a simulated building in network namespaces'
	@echo '  bench          benchmarks, as ratios against baselines from the same run'
	@echo '  fuzz           run each libFuzzer harness FUZZ_SECONDS (default 60) s'
	@echo '  torture        the whole torture campaign (about an hour), with figures'
	@echo '  model          model-check the lock-free replay window with spin'
	@echo '  firmware       the Cortex-M3 role images (DEVICE=NAME: a provisioned one;'
	@echo '                 see the Makefile)'
	@echo '  firmware-size  flash and RAM of each role image against the budget'
	@echo '  install        install the programs, man pages, tshark dissector and'
	@echo '                 bash completion (PREFIX=/usr/local, DESTDIR=)'
	@echo '  uninstall      remove what install installed (same PREFIX, DESTDIR)'
	@echo '  clean          remove $(B)/'
	@echo '  help           this list'
	@echo 'V=1 shows full commands.'

-include $(shell find $(B) -name '*.d' 2>/dev/null)
