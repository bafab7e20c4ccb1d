#!/bin/sh
# docs/protocol.md 11.8, the gateway link's worked example, byte for byte,
# and the rules of its messages.
exec build/tests/dataplane/link docs/protocol.md
