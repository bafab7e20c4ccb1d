#!/bin/sh
# The worked examples of docs/protocol.md, checked byte for byte.
exec build/tests/unit/vectors docs/protocol.md
