/* gen_changelog.c -- libFuzzer target for the changelog loaders (platforms' and the node's), the template
 * pack reader and the minisign parsers: any bytes give a result or one clear error, never a crash, a hang or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "changelog.h"
#include "packs.h"
#include "sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char zero_fp[] = "0000000000000000000000000000000000000000000000000000000000000000";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    err[0] = '\0';
    if (size && data[0] == 1) {              /* 0x01: the rest is a template pack */
        fingerprint_set s;
        if (packs_parse("fuzz.tar.gz", data + 1, size - 1, zero_fp, &s, err, sizeof err) == 0) abort();   /* never that digest */
        if (!err[0]) abort();
        return 0;
    }
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (size && data[0] == 2) {              /* 0x02: a key or a signature file */
        sign_key k;
        char trusted[256];
        if (sign_parse_public("fuzz.pub", text + 1, &k, err, sizeof err) == 0)
            (void)sign_verify(&k, "data", 4, text + 1, trusted, sizeof trusted, err, sizeof err);
        (void)sign_parse_secret("fuzz.key", text + 1, &k, err, sizeof err);
        free(text);
        return 0;
    }
    /* 0x03: the rest is the node's changelog (no node minimum, no fingerprint) */
    changelog *c = size && data[0] == 3 ? changelog_node_parse("fuzz", text + 1, size - 1, err, sizeof err)
                                        : changelog_parse("fuzz", text, size, err, sizeof err);
    free(text);
    if (!c) {
        if (strncmp(err, "fuzz:", 5)) abort();   /* every error is positioned in the file */
        return 0;
    }
    for (size_t i = 1; i < c->n; i++)        /* what the loader promises */
        if (changelog_semver_cmp(&c->entries[i - 1].v, &c->entries[i].v) <= 0 ||
            strcmp(c->entries[i - 1].date, c->entries[i].date) < 0) abort();
    char why[512];
    (void)changelog_update_target(c, c->entries[c->n - 1].version, UPDATE_MINOR, why, sizeof why);
    (void)changelog_rollback_allowed(c, c->entries[0].version, c->entries[c->n - 1].version, why, sizeof why);
    changelog_platform p = {"fuzz", "Fuzz", c};
    for (int f = FORMAT_MD; f <= FORMAT_ATOM; f++) {
        buf out = BUF_INIT;
        if (changelog_render(&p, 1, (changelog_format)f, &out) < 0) abort();
        buf_free(&out);
    }
    changelog_free(c);
    return 0;
}
