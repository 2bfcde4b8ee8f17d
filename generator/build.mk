# generator/build.mk -- bundlegen: the library (every generator/*.c but main.c) and its CLI.

GEN_MAIN    := generator/main.c
GEN_LIB_SRC := $(sort $(filter-out $(GEN_MAIN),$(wildcard generator/*.c)))
PROGRAMS    += $(B)/bundlegen
DATA_DIRS   += platforms templates changelog

$(B)/bundlegen: $(call rel,$(GEN_LIB_SRC) $(GEN_MAIN))
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

# The same program under ASan + UBSan, for the command tests.
$(B)/san/bundlegen: $(call san,$(GEN_LIB_SRC) $(GEN_MAIN))
	$(CC) $(CFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS)
