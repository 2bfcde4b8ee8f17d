/* gen_sign.c -- unit tests of sign.c: key files, signatures, every kind of tampering, and
 * interoperability with Debian's minisign in both directions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "sign.h"

static const char data[] = "e3b0c442  bundles/demo-1.0.0.zip\n";

static void save(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_round_trip(void **state)
{
    (void)state;
    sign_key k, pub, sec;
    buf p = BUF_INIT, s = BUF_INIT, sig = BUF_INIT, sig2 = BUF_INIT;
    char err[512], trusted[256];
    assert_int_equal(sign_keygen(&k), 0);
    assert_int_equal(sign_public_text(&k, &p), 0);
    assert_int_equal(sign_secret_text(&k, &s), 0);
    assert_true(!strncmp(p.data, "untrusted comment: minisign public key ", 39));
    assert_int_equal(sign_parse_public("k.pub", p.data, &pub, err, sizeof err), 0);
    assert_int_equal(sign_parse_secret("k.key", s.data, &sec, err, sizeof err), 0);
    assert_memory_equal(pub.pk, k.pk, 32);
    assert_memory_equal(sec.sk, k.sk, 64);
    assert_memory_equal(sec.id, k.id, 8);
    assert_int_equal(sign_data(&sec, data, strlen(data), "file:SHA256SUMS", &sig, err, sizeof err), 0);
    assert_int_equal(sign_data(&sec, data, strlen(data), "file:SHA256SUMS", &sig2, err, sizeof err), 0);
    assert_string_equal(sig.data, sig2.data);             /* deterministic: releases stay reproducible */
    assert_int_equal(sign_verify(&pub, data, strlen(data), sig.data, trusted, sizeof trusted, err, sizeof err), 0);
    assert_string_equal(trusted, "file:SHA256SUMS");
    assert_int_equal(sign_data(&pub, data, 3, "x", &sig2, err, sizeof err), -1);   /* no secret */
    assert_int_equal(sign_data(&sec, data, 3, "two\nlines", &sig2, err, sizeof err), -1);
    buf_free(&p);
    buf_free(&s);
    buf_free(&sig);
    buf_free(&sig2);
}

static void test_tampering(void **state)
{
    (void)state;
    sign_key k, other;
    buf sig = BUF_INIT;
    char err[512];
    assert_int_equal(sign_keygen(&k), 0);
    assert_int_equal(sign_keygen(&other), 0);
    assert_int_equal(sign_data(&k, data, strlen(data), "file:SHA256SUMS", &sig, err, sizeof err), 0);
    char changed[sizeof data];
    memcpy(changed, data, sizeof data);
    changed[0] = 'f';
    assert_int_equal(sign_verify(&k, changed, strlen(changed), sig.data, NULL, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "does not verify"));
    memcpy(other.id, k.id, 8);                            /* same id, other key */
    assert_int_equal(sign_verify(&other, data, strlen(data), sig.data, NULL, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "does not verify"));
    assert_int_equal(sign_keygen(&other), 0);
    assert_int_equal(sign_verify(&other, data, strlen(data), sig.data, NULL, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "another key"));
    char *t = strdup(sig.data), *c = strstr(t, "file:SHA256SUMS");
    c[0] = 'F';                                           /* the trusted comment */
    assert_int_equal(sign_verify(&k, data, strlen(data), t, NULL, 0, err, sizeof err), -1);
    assert_string_equal(err, "signature: the trusted comment was changed after signing");
    free(t);
    t = strdup(sig.data);
    char *line2 = strchr(t, '\n') + 1;
    line2[5] = line2[5] == 'A' ? 'B' : 'A';               /* the signature itself */
    assert_int_equal(sign_verify(&k, data, strlen(data), t, NULL, 0, err, sizeof err), -1);
    free(t);
    assert_int_equal(sign_verify(&k, data, strlen(data), "hello\n", NULL, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "untrusted comment"));
    buf_free(&sig);
}

static void test_bad_keys(void **state)
{
    (void)state;
    sign_key k;
    char err[512];
    assert_int_equal(sign_parse_public("a.pub", "untrusted comment: x\nnot base64!\n", &k, err, sizeof err), -1);
    assert_string_equal(err, "a.pub: the public key line is not valid base64 of 42 bytes");
    assert_int_equal(sign_parse_secret("a.key", "no comment\n", &k, err, sizeof err), -1);
    assert_non_null(strstr(err, "a.key: not a minisign secret key"));
    sign_key good;
    buf s = BUF_INIT;
    assert_int_equal(sign_keygen(&good), 0);
    assert_int_equal(sign_secret_text(&good, &s), 0);
    char *line2 = strchr(s.data, '\n') + 1;
    char *broken = strdup(s.data);
    broken[line2 - s.data + 100] = broken[line2 - s.data + 100] == 'A' ? 'B' : 'A';   /* inside the key */
    assert_int_equal(sign_parse_secret("b.key", broken, &k, err, sizeof err), -1);
    assert_string_equal(err, "b.key: the secret key's checksum is wrong: the file is damaged");
    free(broken);
    buf_free(&s);
    assert_int_equal(sign_load("/nonexistent/k.key", 1, &k, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot read the secret key"));
}

/* Our signatures verify with minisign; minisign's unencrypted keys and signatures work with us. */
static void test_minisign(void **state)
{
    (void)state;
    if (system("command -v minisign >/dev/null") != 0) fail_msg("minisign is not installed (scripts/deps.sh)");
    char dir[] = "/tmp/gen_sign.XXXXXX", cmd[1024], path[256], err[512];
    assert_non_null(mkdtemp(dir));
    sign_key k;
    buf p = BUF_INIT, sig = BUF_INIT;
    assert_int_equal(sign_keygen(&k), 0);
    assert_int_equal(sign_public_text(&k, &p), 0);
    assert_int_equal(sign_data(&k, data, strlen(data), "file:SUMS", &sig, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/our.pub", dir); save(path, p.data);
    snprintf(path, sizeof path, "%s/SUMS", dir); save(path, data);
    snprintf(path, sizeof path, "%s/SUMS.minisig", dir); save(path, sig.data);
    snprintf(cmd, sizeof cmd, "minisign -Vm %s/SUMS -p %s/our.pub >/dev/null", dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/SUMS", dir); save(path, "changed\n");
    assert_int_not_equal(system(cmd), 0);                  /* minisign sees the change too */

    snprintf(cmd, sizeof cmd, "cd %s && minisign -G -W -p theirs.pub -s theirs.key >/dev/null && "
             "printf '%%s' '%s' >m && minisign -S -s theirs.key -m m -t 'file:m' >/dev/null </dev/null", dir, "msg");
    assert_int_equal(system(cmd), 0);
    sign_key pub, sec;
    snprintf(path, sizeof path, "%s/theirs.pub", dir);
    assert_int_equal(sign_load(path, 0, &pub, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/theirs.key", dir);
    if (sign_load(path, 1, &sec, err, sizeof err) < 0) fail_msg("%s", err);
    assert_memory_equal(sec.pk, pub.pk, 32);
    buf theirs = BUF_INIT;
    snprintf(path, sizeof path, "%s/m.minisig", dir);
    assert_int_equal(buf_read_file(&theirs, path), 0);
    char trusted[128];
    assert_int_equal(sign_verify(&pub, "msg", 3, theirs.data, trusted, sizeof trusted, err, sizeof err), 0);
    assert_string_equal(trusted, "file:m");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    buf_free(&theirs);
    buf_free(&p);
    buf_free(&sig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_tampering),
        cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_minisign),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
