# generator/build.mk -- bundlegen: the library (every generator/*.c but main.c, and common/) and its CLI.

GEN_MAIN    := generator/main.c
GEN_LIB_SRC := $(sort $(filter-out $(GEN_MAIN),$(wildcard generator/*.c))) $(COMMON_SRC)
PROGRAMS    += $(B)/bundlegen
DATA_DIRS   += platforms templates changelog packs console

$(B)/bundlegen: $(call rel,$(GEN_LIB_SRC) $(GEN_MAIN)) $(call llhttp_obj,rel)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# The same program under ASan + UBSan, for the command tests.
$(B)/san/bundlegen: $(call san,$(GEN_LIB_SRC) $(GEN_MAIN)) $(call llhttp_obj,san)
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS)

# The engine benchmark's driver (bench/template.sh).
$(B)/bench_tmpl: $(call rel,bench/template/bench_tmpl.c $(GEN_LIB_SRC)) $(call llhttp_obj,rel)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# root.c falls back to the installed data folder, $(PREFIX)/share/bundlegen.
$(call rel,generator/root.c) $(call san,generator/root.c): ALL_CFLAGS += -DBUNDLEGEN_DATADIR='"$(PREFIX)/share/bundlegen"'
