# `make install` and `make uninstall` (their targets are in the top
# Makefile): the programs the parts name in INSTALL_SBIN and INSTALL_BIN,
# every man page of docs/, the tshark dissector (DISSECTOR) and bash
# completion for osm-fabric (COMPLETION), under DESTDIR and PREFIX.

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
SBINDIR     ?= $(PREFIX)/sbin
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
# Debian's layout: /usr/lib/x86_64-linux-gnu, /usr/local/lib/x86_64-...
MULTIARCH   ?= $(shell $(CC) -print-multiarch 2>/dev/null)
LIBDIR      ?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
# Wireshark 4.0 loads every .lua file of its global Lua plugin folder,
# LIBDIR/wireshark/plugins under PREFIX=/usr (`tshark -G folders`), and
# of ~/.local/lib/wireshark/plugins; under another PREFIX it does not
# look there: -X lua_script:FILE.
WIRESHARK_PLUGINDIR ?= $(LIBDIR)/wireshark/plugins
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
INSTALL     ?= install

MAN_PAGES   := $(wildcard docs/*.[1-8])

# Each file's path once installed, without DESTDIR.
INSTALLED = $(INSTALL_SBIN:$(B)/%=$(SBINDIR)/%) \
	$(INSTALL_BIN:$(B)/%=$(BINDIR)/%) \
	$(foreach p,$(MAN_PAGES),$(MANDIR)/man$(subst .,,$(suffix $(p)))/$(notdir $(p))) \
	$(WIRESHARK_PLUGINDIR)/$(notdir $(DISSECTOR)) $(BASHCOMPDIR)/osm-fabric

# $(call install_to,MODE,DIR,FILES)
install_to = $(INSTALL) -d "$(DESTDIR)$(2)" && \
	$(INSTALL) -m $(1) $(3) "$(DESTDIR)$(2)/"

define install_recipe
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(call install_to,0755,$(SBINDIR),$(INSTALL_SBIN))
	$(Q)$(call install_to,0755,$(BINDIR),$(INSTALL_BIN))
	$(Q)for p in $(MAN_PAGES); do \
		$(call install_to,0644,$(MANDIR)/man$${p##*.},$$p) || exit 1; \
	done
	$(Q)$(call install_to,0644,$(WIRESHARK_PLUGINDIR),$(DISSECTOR))
	$(Q)$(INSTALL) -D -m 0644 $(COMPLETION) \
		'$(DESTDIR)$(BASHCOMPDIR)/osm-fabric'
endef

define uninstall_recipe
	$(call msg,UNINST,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(foreach f,$(INSTALLED),'$(DESTDIR)$(f)')
endef
