#!/bin/sh
# The worked examples of docs/protocol.md, checked byte for byte.
exec build/tests/vectors docs/protocol.md
