# common/build.mk -- what bundlegen and edgenode share (sizes and durations, the positioned YAML
# loader): linked into both programs, their unit tests and fuzzers, and on both include paths.

COMMON_SRC := $(sort $(wildcard common/*.c))

# Unit tests: tests/unit/common_NAME.c with the shared sources alone.
COMMON_UNIT_SRC := $(sort $(wildcard tests/unit/common_*.c))
COMMON_UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(COMMON_UNIT_SRC))
$(B)/tests/common_%: $(B)/san/tests/unit/common_%.o $(call san,$(COMMON_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka
TESTS += $(COMMON_UNIT_BIN)
test-build: $(COMMON_UNIT_BIN)
