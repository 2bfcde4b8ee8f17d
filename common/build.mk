# common/build.mk -- what bundlegen and edgenode share (sizes and durations, the positioned YAML
# loader, the HTTP/1.1 request reader over llhttp): linked into both programs, their unit tests and
# fuzzers, and on both include paths.

COMMON_SRC := $(sort $(wildcard common/*.c))

# llhttp (the HTTP/1.1 parser under common/http1.c): Debian's node-llhttp ships its C sources,
# compiled once per build flavour from where the package puts them and linked wherever common/ is,
# with their own warning flags (they leave parameters unused and define functions without prototypes).
LLHTTP_DIR  := /usr/share/llhttp
LLHTTP_INC  := /usr/share/include/llhttp
LLHTTP_SRC  := $(addprefix $(LLHTTP_DIR)/,api.c http.c llhttp.c)
LLHTTP_WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-prototypes
PKG_CFLAGS  += -I$(LLHTTP_INC)
llhttp_obj   = $(patsubst $(LLHTTP_DIR)/%.c,$(B)/$(1)/llhttp/%.o,$(LLHTTP_SRC))
$(LLHTTP_SRC): | $(DEPS_STEP)
	@test -f $@
$(B)/rel/llhttp/%.o: $(LLHTTP_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(LLHTTP_WARN) $(CFLAGS) -I$(LLHTTP_INC) -c $< -o $@
$(B)/san/llhttp/%.o: $(LLHTTP_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(LLHTTP_WARN) $(CFLAGS) $(SANFLAGS) -O1 -I$(LLHTTP_INC) -c $< -o $@
$(B)/fuzz/llhttp/%.o: $(LLHTTP_DIR)/%.c
	@mkdir -p $(dir $@)
	$(FUZZCC) $(CSTD) $(LLHTTP_WARN) $(FUZZFLAGS) -I$(LLHTTP_INC) -c $< -o $@

# Unit tests: tests/unit/common_NAME.c with the shared sources alone.
COMMON_UNIT_SRC := $(sort $(wildcard tests/unit/common_*.c))
COMMON_UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(COMMON_UNIT_SRC))
$(B)/tests/common_%: $(B)/san/tests/unit/common_%.o $(call san,$(COMMON_SRC)) $(call llhttp_obj,san)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka
TESTS += $(COMMON_UNIT_BIN)
test-build: $(COMMON_UNIT_BIN)
