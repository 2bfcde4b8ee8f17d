# tests/build.mk -- unit tests (cmocka, under ASan + UBSan), spec runner, command tests, fuzzers.
# A unit test is one file tests/unit/gen_NAME.c linked with the generator library.

GEN_UNIT_SRC := $(sort $(wildcard tests/unit/gen_*.c))
GEN_UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(GEN_UNIT_SRC))

$(B)/tests/gen_%: $(B)/san/tests/unit/gen_%.o $(call san,$(GEN_LIB_SRC)) $(call llhttp_obj,san)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka

# The escape round trip's renderer (tests/suites/escape-roundtrip.sh): the hostile corpus through the
# whole engine, linked as the unit tests are, so the suite never lists the generator's sources itself.
$(B)/san/tests/escape/render_corpus.o: DEFS += -DHAVE_TMPL
$(B)/tests/render_corpus: $(B)/san/tests/escape/render_corpus.o $(call san,$(GEN_LIB_SRC)) $(call llhttp_obj,san)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS)

# Script suites: every executable tests/suites/*.sh, one suite each.
SCRIPT_SUITES := $(sort $(wildcard tests/suites/*.sh))

TESTS += $(GEN_UNIT_BIN) $(SCRIPT_SUITES)
test-build: programs $(GEN_UNIT_BIN) $(B)/san/bundlegen

# `make check`: every unit test and the quick command suites (well under 30 s on two cores).
CHECK_SUITES := $(wildcard $(addprefix tests/suites/,generate-cli.sh render-cli.sh changelog-cli.sh runner.sh))
CHECKS := $(GEN_UNIT_BIN) $(NODE_UNIT_BIN) $(CHECK_SUITES)

# libFuzzer targets: tests/fuzz/gen_NAME.c with the generator library, built by clang.
GEN_FUZZ_SRC := $(sort $(wildcard tests/fuzz/gen_*.c))
GEN_FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(GEN_FUZZ_SRC))
FUZZERS += $(GEN_FUZZ_BIN)
$(B)/fuzz/gen_%: $(B)/fuzz/tests/fuzz/gen_%.o $(call fuzz,$(GEN_LIB_SRC)) $(call llhttp_obj,fuzz)
	$(FUZZCC) $(FUZZFLAGS) -o $@ $^ $(PKG_LIBS)
include tests/golden.mk
