# Endpoint firmware for the Cortex-M3 (QEMU lm3s6965evb): its sources, one
# image per role, and the provisioning tool osm-mkblob. `make firmware`
# and `make firmware-size` are in the top Makefile; host builds of its
# code for tests in tests/firmware/build.mk. docs/firmware.md.
FW_SRCS    := firmware/hw.c firmware/app.c firmware/circuit.c \
	firmware/chachapoly.c firmware/libc.c
FW_ROLES   := door lamp
FW_IMAGES  := $(FW_ROLES:%=$(B)/firmware/%.elf)
OSM_MKBLOB := $(B)/osm-mkblob
BINS       += $(OSM_MKBLOB)
INSTALL_BIN += $(OSM_MKBLOB)
DEMO_DEPS  += $(FW_IMAGES) $(OSM_MKBLOB)

# ---- role images (the rule is mk/rules.mk's fw_image) ---------------------
$(eval $(call fw_image,door,DOOR))
$(eval $(call fw_image,lamp,LAMP))

# ---- provisioning ----------------------------------------------------------
# osm-mkblob writes a device's blob (include/osm_blob.h) with libosm's
# osm_fw_blob_write(), as `osm-fabric device provision` does.
$(OSM_MKBLOB): $(B)/firmware/mkblob.o $(LIBOSM)
$(OSM_MKBLOB): LDLIBS = $(LIBS_OSM)
