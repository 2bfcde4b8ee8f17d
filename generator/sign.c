/* sign.c -- minisign-compatible keys and signatures over Ed25519 and BLAKE2b from libsodium.
 * Layouts: public key "Ed"|id|pk, secret key "Ed"|kdf|"B2"|salt|ops|mem|id|sk|checksum, signature "ED"|id|sig. */
#include "sign.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#define PUB_LEN (2 + 8 + 32)
#define SEC_LEN (2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32)
#define SIG_LEN (2 + 8 + 64)

static int start(void) { return sodium_init() < 0 ? -1 : 0; }

/* The checksum minisign keeps in a secret key: BLAKE2b-256 of "Ed" | id | sk. */
static void secret_checksum(const sign_key *k, unsigned char out[32])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, (const unsigned char *)"Ed", 2);
    crypto_generichash_update(&st, k->id, 8);
    crypto_generichash_update(&st, k->sk, 64);
    crypto_generichash_final(&st, out, 32);
}

static int put_b64(buf *out, const unsigned char *bin, size_t len)
{
    char b64[512];
    sodium_bin2base64(b64, sizeof b64, bin, len, sodium_base64_VARIANT_ORIGINAL);
    return buf_printf(out, "%s\n", b64);
}

/* The second line of a key or signature file (the first is the untrusted comment), decoded: it
 * must be exactly want bytes. Sets *next to the text after that line. */
static int line_b64(const char *name, const char *text, const char *what, unsigned char *bin, size_t want,
                    const char **next, char *err, size_t errsz)
{
    if (strncmp(text, "untrusted comment: ", 19)) {
        snprintf(err, errsz, "%s: not a minisign %s: the first line must start with \"untrusted comment: \"", name, what);
        return -1;
    }
    const char *l = strchr(text, '\n');
    if (!l) { snprintf(err, errsz, "%s: not a minisign %s: it ends after the comment", name, what); return -1; }
    l++;
    size_t n = strcspn(l, "\r\n");
    size_t got = 0;
    if (n > 400 || sodium_base642bin(bin, want, l, n, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) < 0 ||
        got != want) {
        snprintf(err, errsz, "%s: the %s line is not valid base64 of %zu bytes", name, what, want);
        return -1;
    }
    l += n;
    if (*l == '\r') l++;
    if (*l == '\n') l++;
    if (next) *next = l;
    return 0;
}

int sign_keygen(sign_key *k)
{
    if (start() < 0) return -1;
    memset(k, 0, sizeof *k);
    randombytes_buf(k->id, sizeof k->id);
    crypto_sign_keypair(k->pk, k->sk);
    k->has_secret = 1;
    return 0;
}

void sign_key_id(const sign_key *k, char out[17])
{
    for (int i = 0; i < 8; i++) snprintf(out + 2 * i, 3, "%02X", k->id[7 - i]);
}

int sign_public_text(const sign_key *k, buf *out)
{
    unsigned char bin[PUB_LEN];
    char id[17];
    memcpy(bin, "Ed", 2);
    memcpy(bin + 2, k->id, 8);
    memcpy(bin + 10, k->pk, 32);
    sign_key_id(k, id);
    return buf_printf(out, "untrusted comment: minisign public key %s\n", id) | put_b64(out, bin, sizeof bin);
}

int sign_secret_text(const sign_key *k, buf *out)
{
    unsigned char bin[SEC_LEN] = {0};
    memcpy(bin, "Ed", 2);              /* bytes 2-3: key derivation none (0, 0): not encrypted */
    memcpy(bin + 4, "B2", 2);          /* salt, opslimit and memlimit stay zero */
    unsigned char *kn = bin + 6 + 32 + 8 + 8;
    memcpy(kn, k->id, 8);
    memcpy(kn + 8, k->sk, 64);
    secret_checksum(k, kn + 72);
    int rc = buf_puts(out, "untrusted comment: bundlegen secret key (not encrypted: keep this file private)\n") |
             put_b64(out, bin, sizeof bin);
    sodium_memzero(bin, sizeof bin);
    return rc;
}

int sign_parse_public(const char *name, const char *text, sign_key *k, char *err, size_t errsz)
{
    unsigned char bin[PUB_LEN];
    memset(k, 0, sizeof *k);
    if (start() < 0) { snprintf(err, errsz, "libsodium cannot start"); return -1; }
    if (line_b64(name, text, "public key", bin, sizeof bin, NULL, err, errsz) < 0) return -1;
    if (memcmp(bin, "Ed", 2)) { snprintf(err, errsz, "%s: not an Ed25519 minisign public key", name); return -1; }
    memcpy(k->id, bin + 2, 8);
    memcpy(k->pk, bin + 10, 32);
    return 0;
}

int sign_parse_secret(const char *name, const char *text, sign_key *k, char *err, size_t errsz)
{
    unsigned char bin[SEC_LEN], chk[32];
    memset(k, 0, sizeof *k);
    if (start() < 0) { snprintf(err, errsz, "libsodium cannot start"); return -1; }
    if (line_b64(name, text, "secret key", bin, sizeof bin, NULL, err, errsz) < 0) return -1;
    int rc = -1;
    if (memcmp(bin, "Ed", 2) || memcmp(bin + 4, "B2", 2))
        snprintf(err, errsz, "%s: not an Ed25519 minisign secret key", name);
    else if (bin[2] || bin[3])
        snprintf(err, errsz, "%s: the secret key is encrypted with a password; bundlegen needs an unencrypted key "
                 "(bundlegen keygen, or minisign -G -W)", name);
    else {
        const unsigned char *kn = bin + 6 + 32 + 8 + 8;
        memcpy(k->id, kn, 8);
        memcpy(k->sk, kn + 8, 64);
        memcpy(k->pk, k->sk + 32, 32);
        k->has_secret = 1;
        unsigned char zero[32] = {0}, pk[32], sk[64];
        secret_checksum(k, chk);
        crypto_sign_seed_keypair(pk, sk, k->sk);           /* the seed is the first half */
        /* minisign -W leaves the checksum of an unencrypted key zero; the key pair check still applies */
        if (sodium_memcmp(chk, kn + 72, 32) && sodium_memcmp(zero, kn + 72, 32))
            snprintf(err, errsz, "%s: the secret key's checksum is wrong: the file is damaged", name);
        else if (sodium_memcmp(pk, k->pk, 32))
            snprintf(err, errsz, "%s: the secret key's two halves do not match: the file is damaged", name);
        else rc = 0;
        sodium_memzero(sk, sizeof sk);
    }
    sodium_memzero(bin, sizeof bin);
    if (rc < 0) sodium_memzero(k, sizeof *k);
    return rc;
}

int sign_load(const char *path, int secret, sign_key *k, char *err, size_t errsz)
{
    buf b = BUF_INIT;
    b.limit = 4096;
    if (buf_read_file(&b, path) < 0) {
        snprintf(err, errsz, "%s: cannot read the %s key: %s", path, secret ? "secret" : "public",
                 errno == EFBIG ? "larger than a key file" : strerror(errno));
        buf_free(&b);
        return -1;
    }
    const char *t = b.data ? b.data : "";
    int rc = secret ? sign_parse_secret(path, t, k, err, errsz) : sign_parse_public(path, t, k, err, errsz);
    if (b.data) sodium_memzero(b.data, b.len);
    buf_free(&b);
    return rc;
}

int sign_data(const sign_key *k, const void *data, size_t len, const char *trusted_comment, buf *out,
              char *err, size_t errsz)
{
    if (!k->has_secret || start() < 0) { snprintf(err, errsz, "signing needs a secret key"); return -1; }
    if (strchr(trusted_comment, '\n') || strlen(trusted_comment) > 1000) {
        snprintf(err, errsz, "the trusted comment must be one line of at most 1000 bytes");
        return -1;
    }
    unsigned char hash[64], bin[SIG_LEN], global[64];
    crypto_generichash(hash, sizeof hash, data, len, NULL, 0);
    memcpy(bin, "ED", 2);
    memcpy(bin + 2, k->id, 8);
    crypto_sign_detached(bin + 10, NULL, hash, sizeof hash, k->sk);
    size_t tl = strlen(trusted_comment);
    unsigned char *msg = malloc(64 + tl);
    if (!msg) { snprintf(err, errsz, "out of memory"); return -1; }
    memcpy(msg, bin + 10, 64);
    memcpy(msg + 64, trusted_comment, tl);
    crypto_sign_detached(global, NULL, msg, 64 + tl, k->sk);
    free(msg);
    char id[17];
    sign_key_id(k, id);
    int rc = buf_printf(out, "untrusted comment: signature from bundlegen secret key %s\n", id) |
             put_b64(out, bin, sizeof bin) | buf_printf(out, "trusted comment: %s\n", trusted_comment) |
             put_b64(out, global, sizeof global);
    if (rc) snprintf(err, errsz, "out of memory");
    return rc ? -1 : 0;
}

int sign_verify(const sign_key *k, const void *data, size_t len, const char *sig_text, char *trusted,
                size_t trustedsz, char *err, size_t errsz)
{
    unsigned char bin[SIG_LEN], global[64], hash[64];
    const char *rest;
    if (start() < 0) { snprintf(err, errsz, "libsodium cannot start"); return -1; }
    if (line_b64("signature", sig_text, "signature", bin, sizeof bin, &rest, err, errsz) < 0) return -1;
    int hashed = !memcmp(bin, "ED", 2);
    if (!hashed && memcmp(bin, "Ed", 2)) { snprintf(err, errsz, "signature: unknown algorithm"); return -1; }
    if (memcmp(bin + 2, k->id, 8)) {
        snprintf(err, errsz, "signature: made with another key than the public key given (key id differs)");
        return -1;
    }
    if (hashed) crypto_generichash(hash, sizeof hash, data, len, NULL, 0);
    if (crypto_sign_verify_detached(bin + 10, hashed ? hash : data, hashed ? sizeof hash : len, k->pk) != 0) {
        snprintf(err, errsz, "signature: does not verify: the file was changed after signing, or the signature was");
        return -1;
    }
    if (strncmp(rest, "trusted comment: ", 17)) { snprintf(err, errsz, "signature: the trusted comment is missing"); return -1; }
    const char *tc = rest + 17;
    size_t tl = strcspn(tc, "\r\n");
    const char *gl = tc + tl;
    if (*gl == '\r') gl++;
    if (*gl == '\n') gl++;
    size_t gn = strcspn(gl, "\r\n"), got = 0;
    if (gn > 200 || sodium_base642bin(global, sizeof global, gl, gn, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) < 0 ||
        got != sizeof global) {
        snprintf(err, errsz, "signature: the global signature line is not valid base64 of 64 bytes");
        return -1;
    }
    unsigned char *msg = malloc(64 + tl + 1);
    if (!msg) { snprintf(err, errsz, "out of memory"); return -1; }
    memcpy(msg, bin + 10, 64);
    memcpy(msg + 64, tc, tl);
    int ok = crypto_sign_verify_detached(global, msg, 64 + tl, k->pk) == 0;
    free(msg);
    if (!ok) { snprintf(err, errsz, "signature: the trusted comment was changed after signing"); return -1; }
    if (trusted && trustedsz) snprintf(trusted, trustedsz, "%.*s", (int)tl, tc);
    return 0;
}
