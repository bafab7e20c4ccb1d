# The tree itself: no circle of files inside a part (from the objects'
# symbols), private headers kept inside their part, protocol rules once.
TESTS_UNIT += tests/layout/cycles.py tests/layout/rules.sh
