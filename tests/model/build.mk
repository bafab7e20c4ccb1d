# The lock-free replay window's algorithm model-checked with spin
# (tools/model/window.pml): the quick configurations; `make model` runs
# them all.
TESTS_UNIT += tests/model/window.sh
