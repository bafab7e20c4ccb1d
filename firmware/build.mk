# Endpoint firmware for the Cortex-M3 (QEMU lm3s6965evb): one image per
# role, the provisioning tool osm-mkblob, provisioned device images, the
# size budget. Host builds of its code for tests: tests/firmware/build.mk.
# docs/firmware.md.
FW_CC      := arm-none-eabi-gcc
FW_OBJCOPY := arm-none-eabi-objcopy
FW_CFLAGS  := -mcpu=cortex-m3 -mthumb -Os -g -std=gnu11 $(WARN) -MMD -MP \
	-ffreestanding -fno-common -ffunction-sections -fdata-sections \
	-DOSM_NO_LOCK -DOSM_REPLAY_BITS=1024 -Iinclude -Ifirmware
FW_LDFLAGS := -nostdlib -T firmware/fw.ld -Wl,--gc-sections -lgcc
FW_SRCS    := firmware/hw.c firmware/app.c firmware/circuit.c \
	firmware/chachapoly.c firmware/libc.c
FW_ROLES   := door lamp
FW_IMAGES  := $(FW_ROLES:%=$(B)/firmware/%.elf)
OSM_MKBLOB := $(B)/osm-mkblob
BINS       += $(OSM_MKBLOB)
DEMO_DEPS  += $(FW_IMAGES) $(OSM_MKBLOB)

# ---- role images: $(1) role name, $(2) its FW_ROLE_* macro suffix ---------
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

# ---- provisioning ----------------------------------------------------------
# osm-mkblob writes a device's blob (include/osm_blob.h) with libosm's
# osm_fw_blob_write(), as `osm-fabric device provision` does.
$(OSM_MKBLOB): $(B)/firmware/mkblob.o $(LIBOSM)
$(OSM_MKBLOB): LDLIBS = $(LIBS_OSM)

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
.PHONY: firmware firmware-size
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
