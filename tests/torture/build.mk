# The torture campaign (docs/reliability.md): hostile frames, killed
# processes, rebooted devices, exhausted resources, long fuzzing. Each
# campaign is a TAP test that also prints its figures, one a line:
#   # figure CAMPAIGN.NAME VALUE [what it counts]
# `make check` runs each short (seconds); `make torture` runs them whole
# (OSM_TORTURE=full) and prints the figures (tests/torture/run).
# Each campaign adds itself to TORTURE above the last line.
TORTURE :=
TORTURE += tests/torture/control.sh
TESTS_NETNS += $(TORTURE)
