# The tests: one folder a part (tests/<part>/build.mk declares its tests
# and their programs), every libFuzzer harness in tests/fuzz/, their
# corpora in tests/corpus/<harness>/; tests/run runs them (TAP), and
# tests/lib.sh is the shell tests' fixture. Shared C helpers live in
# tests/common/ (tap.h, the ```vector parser of docs/protocol.md).
$(call incdir,tests,-Itests/common)
VECTOR_DOC := $(B)/san/tests/common/vector_doc.o

# The runner's own tests: counts, plans, skips, -k, on fake tests.
TESTS_UNIT += tests/run-selftest.sh
