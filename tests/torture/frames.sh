#!/usr/bin/env bash
# Hostile frames at a live switch (tests/torture/frames.c): 200,000 in
# make check, 10,000,000 in make torture (OSM_TORTURE_FRAMES to choose).
n=200000
[ "${OSM_TORTURE:-}" = full ] && n=10000000
exec build/tests/torture/frames "${OSM_TORTURE_FRAMES:-$n}" \
	"${OSM_TORTURE_SEED:-$(date +%s)}"
