# node/build.mk -- edgenode: its library (every node/*.c but main.c, and common/), program, unit tests
# and fuzzers.

NODE_MAIN    := node/main.c
NODE_LIB_SRC := $(sort $(filter-out $(NODE_MAIN),$(wildcard node/*.c))) $(COMMON_SRC)
PROGRAMS     += $(B)/edgenode

$(B)/edgenode: $(call rel,$(NODE_LIB_SRC) $(NODE_MAIN)) $(call llhttp_obj,rel)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(B)/san/edgenode: $(call san,$(NODE_LIB_SRC) $(NODE_MAIN)) $(call llhttp_obj,san)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS)

# Unit tests: tests/unit/node_NAME.c with the node library, under ASan + UBSan.
NODE_UNIT_SRC := $(sort $(wildcard tests/unit/node_*.c))
NODE_UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(NODE_UNIT_SRC))
$(B)/tests/node_%: $(B)/san/tests/unit/node_%.o $(call san,$(NODE_LIB_SRC)) $(call llhttp_obj,san)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka
TESTS += $(NODE_UNIT_BIN)
test-build: $(NODE_UNIT_BIN) $(B)/edgenode $(B)/san/edgenode

# libFuzzer targets: tests/fuzz/node_NAME.c with the node library.
NODE_FUZZ_SRC := $(sort $(wildcard tests/fuzz/node_*.c))
NODE_FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(NODE_FUZZ_SRC))
FUZZERS += $(NODE_FUZZ_BIN)
$(B)/fuzz/node_%: $(B)/fuzz/tests/fuzz/node_%.o $(call fuzz,$(NODE_LIB_SRC)) $(call llhttp_obj,fuzz)
	$(FUZZCC) $(FUZZFLAGS) -o $@ $^ $(PKG_LIBS)

# Installed data: the shipped rules and vulnerability rules (found by edgenode at
# BINDIR/../share/bundlegen/node/),
# the example config and the Grafana dashboard.
NODE_DATA := $(wildcard node/rules.yaml node/vulns.yaml node/edgenode.example.yaml node/dashboard.json)
.PHONY: install-node-data
install: install-node-data
install-node-data: programs
	install -d $(DESTDIR)$(PREFIX)/share/bundlegen/node
	$(if $(NODE_DATA),install -m 644 $(NODE_DATA) $(DESTDIR)$(PREFIX)/share/bundlegen/node/)
