#!/bin/sh
# The worked examples of docs/protocol.md through the firmware's own code.
exec build/tests/firmware/fw-vectors docs/protocol.md
