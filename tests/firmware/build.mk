# The firmware: its crypto against libsodium and docs/protocol.md's
# examples through its code (host builds), provisioning, the images in
# QEMU on a bare tap and behind a room switch (fw-ctl drives them), and
# the size budget.
$(call incdir,tests/firmware,-Ifirmware)
FW_HOST := $(B)/san/firmware/chachapoly.o $(B)/san/firmware/circuit.o

$(B)/tests/firmware/fw-crypto: $(B)/san/tests/firmware/fw_crypto.o \
	$(FW_HOST) $(LIBOSM_SAN)
$(B)/tests/firmware/fw-vectors: $(B)/san/tests/firmware/fw_vectors.o \
	$(B)/san/firmware/app.o $(FW_HOST) $(VECTOR_DOC) $(LIBOSM_SAN)
$(B)/tests/firmware/fw-ctl: $(B)/san/tests/firmware/fw_ctl.o \
	$(B)/san/tests/firmware/fw_ctl_switch.o $(LIBOSM_SAN)
$(B)/tests/firmware/%: LDLIBS = $(LIBS_OSM)
$(B)/tests/firmware/fw-crypto: LDLIBS = $(LIBS_TEST) $(LIBS_OSM)

TESTS_UNIT += $(B)/tests/firmware/fw-crypto tests/firmware/mkblob.sh
TESTS_SPEC += tests/firmware/vectors.sh
TESTS_QEMU += tests/firmware/provision.sh tests/firmware/qemu-e2e.sh \
	tests/firmware/size.sh
CHECK_DEPS += $(B)/tests/firmware/fw-vectors $(B)/tests/firmware/fw-ctl
