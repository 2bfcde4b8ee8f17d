# Makefile -- the only build entry for bundlegen and edgenode.
# Each component adds its sources, programs and tests in its own build.mk.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
FUZZCC  ?= clang
# One version for bundlegen, edgenode and their packages.
VERSION := $(strip $(shell cat VERSION))
PKGS    := libcjson yaml-0.1 libpcre2-8 libzip zlib libarchive libmicrohttpd libsodium openssl hiredis

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS   ?= -O2 -g
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
DEFS     = -DPROJECT_VERSION='"$(VERSION)"'
ALL_CFLAGS = $(CSTD) $(DEFS) $(WARN) $(CFLAGS) -Icommon -Igenerator -Inode $(PKG_CFLAGS)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZFLAGS := -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer -g -O1

B := build
# Object paths per variant: rel (release), san (ASan+UBSan), fuzz (clang libFuzzer).
rel  = $(patsubst %.c,$(B)/rel/%.o,$(1))
san  = $(patsubst %.c,$(B)/san/%.o,$(1))
fuzz = $(patsubst %.c,$(B)/fuzz/%.o,$(1))

# Filled in by the components' build.mk files.
PROGRAMS :=          # installed binaries, built in $(B)/
TESTS    :=          # suites for tests/run-suites.sh: "name=command" words
BENCHES  := $(sort $(wildcard bench/*.sh))  # each bench is a script
FUZZERS  :=          # libFuzzer binaries in $(B)/fuzz/
DATA_DIRS :=         # directories installed under $(PREFIX)/share/bundlegen

.PHONY: all deps test check test-build bench fuzz fuzz-build install clean deb images
all: programs

# The package step runs when its lists changed since it last succeeded (or on `make deps`), so a machine
# that has everything never waits on the package manager. NO_DEPS=1 leaves it out (a Debian package build,
# whose Build-Depends already hold the libraries).
DEPS_STAMP := $(B)/.deps-installed
DEPS_STEP := $(if $(filter 1,$(NO_DEPS)),,$(DEPS_STAMP))
$(DEPS_STAMP): scripts/debian-packages.txt package-lock.json scripts/deps.sh
	@scripts/deps.sh
	@mkdir -p $(B) && touch $@
deps:
	@scripts/deps.sh
	@mkdir -p $(B) && touch $(DEPS_STAMP)

include common/build.mk
include generator/build.mk
include node/build.mk
include tests/build.mk

programs: $(PROGRAMS)

# Every object depends on VERSION: the version is compiled in. Every object also waits (order-only) for
# the package step, so `make -j` does not compile before the headers are installed.
$(B)/rel/%.o: %.c VERSION | $(DEPS_STEP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@
$(B)/san/%.o: %.c VERSION | $(DEPS_STEP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SANFLAGS) -O1 -MMD -MP -c $< -o $@
$(B)/fuzz/%.o: %.c VERSION | $(DEPS_STEP)
	@mkdir -p $(dir $@)
	$(FUZZCC) $(CSTD) $(DEFS) -Wall -Wextra -Werror -Icommon -Igenerator -Inode $(PKG_CFLAGS) $(FUZZFLAGS) -MMD -MP -c $< -o $@

test: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory test-build
	@tests/run-suites.sh $(TESTS)

# The fast inner loop: unit tests and the command suites, in parallel.
check: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory test-build
	@tests/run-suites.sh $(CHECKS)

bench: $(DEPS_STAMP) programs
	@set -e; for b in $(BENCHES); do $$b; done

fuzz-build: $(FUZZERS)

# One minute per target; new corpus entries stay in build/fuzz-corpus/, seeds in tests/fuzz/corpus/.
fuzz: $(DEPS_STAMP) $(FUZZERS)
	@set -e; for f in $(FUZZERS); do n=$$(basename $$f); echo "== $$n (60 s)"; \
	  mkdir -p $(B)/fuzz-corpus/$$n tests/fuzz/corpus/$$n; \
	  $$f -max_total_time=60 -timeout=10 -rss_limit_mb=2048 $(B)/fuzz-corpus/$$n tests/fuzz/corpus/$$n; done

install: programs
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/bundlegen
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	@for d in $(DATA_DIRS); do [ -d $$d ] || continue; \
	  mkdir -p $(DESTDIR)$(PREFIX)/share/bundlegen/$$d && cp -R $$d/. $(DESTDIR)$(PREFIX)/share/bundlegen/$$d/; done
	install -m 644 openapi.json $(DESTDIR)$(PREFIX)/share/bundlegen/   # served by bundlegen serve

# Debian packages bundlegen and edgenode (debian/) in build/deb/, built from a copy of the tree.
deb:
	@scripts/make-deb.sh

# Container images edgenode:VERSION and bundlegen:VERSION (containers/), with buildah, podman or docker.
images:
	@scripts/make-images.sh

clean:
	rm -rf $(B)

-include $(shell find $(B) -path $(B)/corpora -prune -o -name '*.d' -type f -print 2>/dev/null)  # corpora: bench/detection-corpora.sh
