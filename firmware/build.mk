# Endpoint firmware for the Cortex-M3 (QEMU lm3s6965evb): one image per
# role, the provisioning tool osm-mkblob, host builds of its crypto and
# protocol code for tests. docs/firmware.md tells how to use them.
FW_CC      := arm-none-eabi-gcc
FW_OBJCOPY := arm-none-eabi-objcopy
FW_SIZE    := arm-none-eabi-size
FW_CFLAGS  := -mcpu=cortex-m3 -mthumb -Os -g -std=gnu11 $(WARN) -MMD -MP \
	-ffreestanding -fno-common -ffunction-sections -fdata-sections \
	-DOSM_NO_LOCK -DOSM_REPLAY_BITS=1024 -Iinclude -Ilib -Ifirmware
FW_LDFLAGS := -nostdlib -T firmware/fw.ld -Wl,--gc-sections -lgcc
FW_SRCS    := firmware/hw.c firmware/app.c firmware/circuit.c \
	firmware/chachapoly.c firmware/libc.c lib/osm_msg.c
FW_ROLES   := door lamp
FW_IMAGES  := $(FW_ROLES:%=$(B)/firmware/%.elf)
OSM_MKBLOB := $(B)/osm-mkblob
CHECK_DEPS += $(FW_IMAGES) $(OSM_MKBLOB)
BINS += $(OSM_MKBLOB)

# $(1): role name, $(2): OSM_ROLE_* suffix
define fw_role
$(B)/firmware/$(1)/%.o: %.c
	$$(call msg,FW-CC,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(FW_CC) $$(FW_CFLAGS) -DFW_ROLE_$(2) -c $$< -o $$@

$(B)/firmware/$(1).elf: $(FW_SRCS:%.c=$(B)/firmware/$(1)/%.o) firmware/fw.ld
	$$(call msg,FW-LD,$$@)
	$$(Q)$$(FW_CC) $$(FW_CFLAGS) $$(filter %.o,$$^) $$(FW_LDFLAGS) -o $$@
endef
$(eval $(call fw_role,door,DOOR))
$(eval $(call fw_role,lamp,LAMP))

# The blob writer is part of libosm so that `osm-fabric device provision`
# can call osm_fw_blob_write() too. (lib/build.mk is read after this file,
# so its variables are spelled out here.)
$(B)/libosm.a: $(B)/firmware/provision_host.o
$(B)/san/libosm.a: $(B)/san/firmware/provision_host.o

$(OSM_MKBLOB): $(B)/firmware/mkblob.o $(B)/libosm.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ $(HOST_LDLIBS) -o $@

.PHONY: firmware firmware-size

# ---- tests -----------------------------------------------------------------
FW_HOST_OBJS := $(B)/san/firmware/chachapoly.o $(B)/san/firmware/circuit.o
FW_TEST_CRYPTO := $(B)/tests/firmware/fw-crypto
$(B)/san/tests/firmware/%.o: SAN_CFLAGS += -Ifirmware
$(B)/san/firmware/%.o: SAN_CFLAGS += -Ifirmware

$(FW_TEST_CRYPTO): $(B)/san/tests/firmware/fw_crypto.o $(FW_HOST_OBJS) \
		$(B)/san/libosm.a
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) $^ $(HOST_LDLIBS) -o $@
TESTS += $(FW_TEST_CRYPTO)

FW_CTL := $(B)/tests/firmware/fw-ctl
$(FW_CTL): $(B)/san/tests/firmware/fw_ctl.o $(B)/san/libosm.a
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) $^ $(HOST_LDLIBS) -o $@
CHECK_DEPS += $(FW_CTL)
TESTS += tests/firmware/qemu-e2e.sh
