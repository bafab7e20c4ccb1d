#!/usr/bin/env bash
# spin on tools/model/window.pml, the quick configurations (TAP): no
# number accepted twice by 2 or 3 CPUs, every refusal justified, one
# CPU's verdicts the rule's, and each broken variant caught.
cd "$(dirname "$0")/../.." || exit 1
exec tools/model/check.sh --quick --tap
