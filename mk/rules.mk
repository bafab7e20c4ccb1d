# The build's rules, written once: toolchain, flags, the object, BPF and
# skeleton pattern rules, and the link recipes of the three kinds of
# program. A part's build.mk only names its sources, programs and tests
# (the top Makefile lists what each may declare).

.DELETE_ON_ERROR:
.SECONDARY:
.SUFFIXES:

V ?= 0
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

B       := build
CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool

pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs   = $(shell pkg-config --libs $(1) 2>/dev/null)

# The public headers of the protocol and of the three host libraries are
# on every host compile's path, as installed libraries' would be.
WARN    := -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
HOST_CFLAGS := $(CFLAGS) $(WARN) -std=gnu11 -MMD -MP -D_GNU_SOURCE \
	-Iinclude -Ilib -Ibpf -Istore -I$(B) \
	$(call pc_cflags,libbpf libxdp libsodium lmdb libmnl jansson cmocka \
	libpcap yaml-0.1)
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# Tests run sanitized: every object under $(B)/san is built with $(SAN).
SAN_CFLAGS  := $(HOST_CFLAGS) $(SAN) -O1
# libFuzzer harnesses: objects under $(B)/fz carry coverage too.
FUZZ_CFLAGS := $(SAN_CFLAGS) -fsanitize=fuzzer-no-link

# -mcpu=v3: the atomics of the replay window (compare-and-exchange).
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__bpf__ -D__TARGET_ARCH_x86 \
	$(WARN) -Wno-unused-function -Iinclude -Ibpf -I$(B)

# What a program links, by library (a program names every one it uses,
# its own dependencies included).
LIBS_OSM    := $(call pc_libs,libsodium)
LIBS_SWITCH := $(call pc_libs,libbpf)
LIBS_STORE  := $(call pc_libs,lmdb yaml-0.1)
LIBS_CTRL   := $(call pc_libs,jansson libmnl)
LIBS_TEST   := $(call pc_libs,cmocka)

# The three host libraries: lib/ (libosm), bpf/ (the switch library),
# store/; each in a plain, a sanitized and a fuzzing build.
LIBOSM         := $(B)/libosm.a
LIBOSM_SAN     := $(B)/san/libosm.a
LIBOSM_FZ      := $(B)/fz/libosm.a
LIBSWITCH      := $(B)/libosmswitch.a
LIBSWITCH_SAN  := $(B)/san/libosmswitch.a
LIBSTORE       := $(B)/libosmstore.a
LIBSTORE_SAN   := $(B)/san/libosmstore.a
LIBSTORE_FZ    := $(B)/fz/libosmstore.a

# $(call incdir,DIR,FLAGS): FLAGS for every object of DIR, in each build.
incdir = $(eval $(B)/$(1)/%.o $(B)/san/$(1)/%.o $(B)/fz/$(1)/%.o: \
	EXTRA_CFLAGS += $(2))

# ---- objects ----------------------------------------------------------------

$(B)/%.o: %.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(B)/san/%.o: %.c
	$(call msg,CC-SAN,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

$(B)/fz/%.o: %.c
	$(call msg,CC-FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(EXTRA_CFLAGS) -c $< -o $@

%.a:
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- BPF programs and their skeletons -------------------------------------

$(B)/vmlinux.h:
	$(call msg,BTF,$@)
	@mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(B)/%.bpf.o: %.bpf.c $(B)/vmlinux.h
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(EXTRA_BPF_CFLAGS) -MMD -MP -c $< -o $@

# The skeleton is named after the file's stem (bench.bpf.o: bench); a
# part whose stem is no C name sets SKEL_NAME for it.
$(B)/%.skel.h: $(B)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name \
		$(or $(SKEL_NAME),$(subst -,_,$(notdir $*))) > $@

# ---- programs ---------------------------------------------------------------
# A build.mk names a program's objects and archives as its prerequisites
# and its libraries in LDLIBS; the directory says how it is linked.

$(B)/osm-%:
	$(call msg,LINK,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $(filter %.o %.a,$^) $(LDLIBS) -o $@

$(B)/tests/%:
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) $(filter %.o %.a,$^) $(LDLIBS) -o $@

$(B)/fuzz/%:
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(filter %.o %.a,$^) \
		$(LDLIBS) -o $@

# ---- firmware images (arm-none-eabi) ---------------------------------------
# $(call fw_image,ROLE,MACRO): $(B)/firmware/ROLE.elf from FW_SRCS, built
# with -DFW_ROLE_MACRO and linked with firmware/fw.ld.

FW_CC      := arm-none-eabi-gcc
FW_OBJCOPY := arm-none-eabi-objcopy
FW_CFLAGS  := -mcpu=cortex-m3 -mthumb -Os -g -std=gnu11 $(WARN) -MMD -MP \
	-ffreestanding -fno-common -ffunction-sections -fdata-sections \
	-DOSM_REPLAY_BITS=1024 -Iinclude -Ifirmware
FW_LDFLAGS := -nostdlib -T firmware/fw.ld -Wl,--gc-sections -lgcc

define fw_image
$(B)/firmware/$(1)/%.o: %.c
	$$(call msg,FW-CC,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(FW_CC) $$(FW_CFLAGS) -DFW_ROLE_$(2) -c $$< -o $$@

$(B)/firmware/$(1).elf: $(FW_SRCS:%.c=$(B)/firmware/$(1)/%.o) firmware/fw.ld
	$$(call msg,FW-LD,$$@)
	$$(Q)$$(FW_CC) $$(FW_CFLAGS) $$(filter %.o,$$^) $$(FW_LDFLAGS) -o $$@
endef
