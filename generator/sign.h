/* sign.h -- Ed25519 signatures in minisign's formats (libsodium), so that releases verify with
 * `minisign -Vm FILE -p KEY.pub`. Secret keys are stored unencrypted (minisign -W style). */
#ifndef SIGN_H
#define SIGN_H
#include <stddef.h>
#include "buf.h"

typedef struct sign_key {
    unsigned char id[8];    /* minisign's key number, random */
    unsigned char pk[32];
    unsigned char sk[64];   /* only when has_secret */
    int           has_secret;
} sign_key;

/* A fresh key pair. 0, or -1 when libsodium cannot start. */
int sign_keygen(sign_key *k);

/* The key id as minisign prints it: 16 upper-case hex digits. */
void sign_key_id(const sign_key *k, char out[17]);

/* The public key file's text ("untrusted comment: ...\nBASE64\n") and the secret key file's
 * (key derivation "none": bytes 0,0, so no password; checksum BLAKE2b-256 as minisign does). */
int sign_public_text(const sign_key *k, buf *out);
int sign_secret_text(const sign_key *k, buf *out);

/* Parses a public or secret key file's text (name is used in messages). 0, or -1 with err. */
int sign_parse_public(const char *name, const char *text, sign_key *k, char *err, size_t errsz);
int sign_parse_secret(const char *name, const char *text, sign_key *k, char *err, size_t errsz);
int sign_load(const char *path, int secret, sign_key *k, char *err, size_t errsz);

/* A minisign signature file for data: prehashed ("ED", BLAKE2b-512), with trusted_comment (one
 * line) signed too. Deterministic: the same key, data and comment give the same text. */
int sign_data(const sign_key *k, const void *data, size_t len, const char *trusted_comment, buf *out,
              char *err, size_t errsz);

/* Checks a signature file's text against data and the public key k ("Ed" and "ED" signatures).
 * On success copies the trusted comment to trusted (may be NULL). 0, or -1 with err saying what
 * does not verify. */
int sign_verify(const sign_key *k, const void *data, size_t len, const char *sig_text, char *trusted,
                size_t trustedsz, char *err, size_t errsz);

#endif
