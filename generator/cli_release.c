/* cli_release.c -- "bundlegen release", "keygen" and "verify".
 * Exit status: 0 done, 1 a failure (the message names platform, check or file), 2 usage. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "buf.h"
#include "cli.h"
#include "pack.h"
#include "release.h"
#include "root.h"
#include "sign.h"

typedef struct opts {
    const char *out, *jobs, *sign, *endpoint, *root, *packs, *checks, *pubkey, *release, *file;
} opts;

#define O(f) offsetof(opts, f)
static const cli_option release_options[] = {
    {"--out", "DIR", CLI_STR | CLI_REQUIRED, O(out), "the release folder to write; it must not exist"},
    {"--jobs", "N", CLI_STR, O(jobs), "platforms rendered and checked at once, 1 to 64 (default 1)"},
    {"--sign", "KEY", CLI_STR, O(sign), "sign SHA256SUMS, release.json (and artifacts.json) with KEY (from bundlegen keygen)"},
    {"--endpoint", "URL", CLI_STR, O(endpoint), "the node endpoint baked into the bundles (default "
     RELEASE_EXAMPLE_ENDPOINT ")"},
    {"--root", "DIR", CLI_STR, O(root),
     CLI_ROOT_HELP},
    {"--packs", "DIR", CLI_STR, O(packs), CLI_PACKS_HELP},
    {"--checks", "DIR", CLI_STR, O(checks), "the check scripts, CHECKS/NAME.sh (default: ROOT/scripts/checks)"},
    {NULL, NULL, 0, 0, NULL},
};

static const cli_option keygen_options[] = {
    {"--out", "PREFIX", CLI_STR | CLI_REQUIRED, O(out), "writes PREFIX.pub and PREFIX.key"},
    {NULL, NULL, 0, 0, NULL},
};

static const cli_option verify_options[] = {
    {"--pubkey", "KEY.pub", CLI_STR, O(pubkey), "the signatures must verify with this public key too"},
    {"--release", "DIR", CLI_STR, O(release), "the release folder (default: the folder holding FILE or its parent)"},
    {NULL, NULL, 0, 0, NULL},
};
#undef O

static const cli_command release_cmd = {
    "release",
    "usage: bundlegen release --out DIR [--jobs N] [--sign KEY] [--endpoint URL] [--root DIR]\n"
    "                         [--packs DIR] [--checks DIR]\n"
    "\n"
    "Renders every platform at its current version with the example endpoint (default "
    RELEASE_EXAMPLE_ENDPOINT "),\n"
    "runs the manifest's checks on it (CHECKS/NAME.sh FILE, default ROOT/scripts/checks), and writes DIR:\n"
    "bundles/, packs/, changelog.md|json|atom, release.json, SHA256SUMS and, with --sign KEY (a minisign\n"
    "secret key from bundlegen keygen), SHA256SUMS.minisig and release.json.minisig. Files a check leaves in\n"
    "$BUNDLEGEN_ARTIFACTS go to artifacts/, with their digests in artifacts.json (signed too); they need not\n"
    "be reproducible. DIR must not exist; it appears complete or not at all. Archive times come from the\n"
    "changelog dates (or SOURCE_DATE_EPOCH).\n"
    "\n",
    release_options, NULL, 0, {0}, 0, NULL, "bundlegen",
};

static const cli_command keygen_cmd = {
    "keygen",
    "usage: bundlegen keygen --out PREFIX\n"
    "\n"
    "Writes an Ed25519 key pair in minisign's format: PREFIX.pub (public) and PREFIX.key (secret, mode 0600,\n"
    "not encrypted: protect the file). Existing files are never overwritten.\n"
    "\n",
    keygen_options, NULL, 0, {0}, 0, NULL, "bundlegen",
};

static const cli_command verify_cmd = {
    "verify",
    "usage: bundlegen verify FILE [--pubkey KEY.pub] [--release DIR]\n"
    "\n"
    "Checks a bundle against a release's release.json and SHA256SUMS, or SHA256SUMS alone (DIR: default the\n"
    "folder holding FILE or its parent) and says which platform and version it is. With --pubkey, the\n"
    "signatures SHA256SUMS.minisig and release.json.minisig must verify too. A file of artifacts/ is checked\n"
    "against artifacts.json (and, with --pubkey, artifacts.json.minisig).\n"
    "\n",
    verify_options, NULL, 1, {offsetof(opts, file)}, 1, "which bundle file?", "bundlegen",
};

/* Parses argv for cmd into o; 0 to run, 1 when help was shown, 2 on a usage error. */
static int parse_args(const cli_command *cmd, int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    int rc = cli_parse(cmd, argc, argv, o);
    cli_done(cmd, o);
    return rc;
}

static void progress(void *ud, size_t done, size_t total, const char *id, const char *version, const char *status)
{
    int tty = *(int *)ud, ok = !strcmp(status, "ok");
    if (tty) fprintf(stderr, "\r\033[K[%2zu/%zu] %s %s %s%s", done, total, id, version, ok ? "ok" : "FAILED",
                     ok && done < total ? "" : "\n");
    else fprintf(stderr, "release: [%zu/%zu] %s %s: %s\n", done, total, id, version, ok ? "ok" : "failed");
}

int cli_release(int argc, char **argv)
{
    opts o;
    int rc = parse_args(&release_cmd, argc, argv, &o);
    if (rc) return rc == 1 ? 0 : 2;
    char *end = NULL;
    long jobs = o.jobs ? strtol(o.jobs, &end, 10) : 1;
    if (o.jobs && (*end || jobs < 1 || jobs > 64)) {
        fprintf(stderr, "bundlegen: release: --jobs: \"%s\" (expected 1 to 64)\n", o.jobs);
        return 2;
    }
    static char err[65536];
    char *root = root_find(o.root, err, sizeof err);
    if (!root) { fprintf(stderr, "bundlegen: release: %s\n", err); return 1; }
    int tty = isatty(2);
    release_opts ro = {root, o.packs, o.out, o.checks, o.sign, o.endpoint, (int)jobs, progress, &tty};
    rc = release_run(&ro, err, sizeof err) == 0 ? 0 : 1;
    if (rc) fprintf(stderr, "bundlegen: release failed, nothing written:\n%s\n", err);
    else printf("%s: release written (release.json, SHA256SUMS%s)\n", o.out, o.sign ? ", signatures" : "");
    free(root);
    return rc;
}

/* Creates path with mode and text, never replacing a file. */
static int write_new(const char *path, const buf *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) {
        fprintf(stderr, "bundlegen: keygen: %s: %s\n", path, errno == EEXIST ? "already exists (never overwritten)" : strerror(errno));
        return -1;
    }
    ssize_t w = write(fd, text->data, text->len);
    if (close(fd) < 0 || w != (ssize_t)text->len) {
        fprintf(stderr, "bundlegen: keygen: %s: cannot write\n", path);
        unlink(path);
        return -1;
    }
    return 0;
}

int cli_keygen(int argc, char **argv)
{
    opts o;
    int rc = parse_args(&keygen_cmd, argc, argv, &o);
    if (rc) return rc == 1 ? 0 : 2;
    if (!*o.out) { fprintf(stderr, "bundlegen: keygen: --out: an empty PREFIX\n"); return 2; }
    char pub[4096], key[4096], id[17];
    snprintf(pub, sizeof pub, "%s.pub", o.out);
    snprintf(key, sizeof key, "%s.key", o.out);
    struct stat st;
    if (stat(pub, &st) == 0 || stat(key, &st) == 0) {
        fprintf(stderr, "bundlegen: keygen: %s: already exists (never overwritten)\n", stat(pub, &st) == 0 ? pub : key);
        return 1;
    }
    sign_key k;
    buf p = BUF_INIT, s = BUF_INIT;
    if (sign_keygen(&k) < 0 || sign_public_text(&k, &p) < 0 || sign_secret_text(&k, &s) < 0) {
        fprintf(stderr, "bundlegen: keygen: cannot make a key\n");
        rc = 1;
    } else if (write_new(key, &s, 0600) < 0) {
        rc = 1;
    } else if (write_new(pub, &p, 0644) < 0) {
        unlink(key);
        rc = 1;
    } else {
        sign_key_id(&k, id);
        printf("key %s: public %s, secret %s (not encrypted)\n", id, pub, key);
    }
    memset(&k, 0, sizeof k);
    buf_free(&p);
    buf_free(&s);
    return rc;
}

/* Reads DIR/name into b; prints why not. */
static int read_in(const char *dir, const char *name, buf *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    b->limit = 64u << 20;
    if (buf_read_file(b, path) == 0) return 0;
    fprintf(stderr, "bundlegen: verify: %s: %s\n", path, strerror(errno));
    return -1;
}

/* Verifies DIR/name against its .minisig with key k. */
static int check_sig(const char *dir, const char *name, const sign_key *k)
{
    buf data = BUF_INIT, sig = BUF_INIT;
    char sig_name[256], err[1024];
    snprintf(sig_name, sizeof sig_name, "%s.minisig", name);
    int rc = read_in(dir, name, &data) < 0 || read_in(dir, sig_name, &sig) < 0 ? -1
           : sign_verify(k, data.data ? data.data : "", data.len, sig.data ? sig.data : "", NULL, 0, err, sizeof err);
    if (rc < 0 && data.data && sig.data) fprintf(stderr, "bundlegen: verify: %s/%s: %s\n", dir, sig_name, err);
    buf_free(&data);
    buf_free(&sig);
    return rc;
}

/* Whether SHA256SUMS lists "hex  rel". */
static int listed(const buf *sums, const char *hex, const char *rel)
{
    char line[4096];
    snprintf(line, sizeof line, "%s  %s\n", hex, rel);
    return sums->data && strstr(sums->data, line) != NULL;
}

/* The release folder: --release, else the folder holding FILE or its parent, whichever has SHA256SUMS. */
static char *release_dir(const opts *o)
{
    if (o->release) return strdup(o->release);
    char *a = strdup(o->file), *b = a ? strdup(dirname(a)) : NULL, path[4096];
    free(a);
    struct stat st;
    for (int up = 0; b && up < 2; up++) {
        snprintf(path, sizeof path, "%s/SHA256SUMS", b);
        if (stat(path, &st) == 0) return b;
        char *c = strdup(dirname(b));
        free(b);
        b = c;
    }
    free(b);
    return NULL;
}

static const char *field(const cJSON *o, const char *name)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(o, name));
    return v ? v : "?";
}

/* The SHA256SUMS path whose file name is base, or NULL; copied to out. */
static const char *sums_path_named(const buf *sums, const char *base, char *out, size_t outsz)
{
    for (const char *l = sums->data; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
        size_t n = strcspn(l, "\n");
        if (n < 67) continue;
        const char *p = l + 66, *slash = memchr(p, '/', n - 66);
        while (slash && memchr(slash + 1, '/', (size_t)(l + n - slash - 1))) slash = memchr(slash + 1, '/', (size_t)(l + n - slash - 1));
        const char *name = slash ? slash + 1 : p;
        if ((size_t)(l + n - name) == strlen(base) && !strncmp(name, base, strlen(base))) {
            snprintf(out, outsz, "%.*s", (int)(l + n - p), p);
            return out;
        }
    }
    return NULL;
}

/* Without release.json: the bundle against SHA256SUMS alone. */
static int verify_sums_only(const opts *o, const char *dir, const buf *sums, const char *hex, const char *base)
{
    char path[2048];
    const char *named = sums_path_named(sums, base, path, sizeof path);
    if (named && listed(sums, hex, named)) {
        printf("%s: matches %s in %s/SHA256SUMS (no release.json there: platform and version unknown)\n", o->file, named, dir);
        return 0;
    }
    if (named) fprintf(stderr, "bundlegen: verify: %s: TAMPERED: does not match %s in SHA256SUMS (sha256 %s): the bundle "
                       "was modified or damaged\n", o->file, named, hex);
    else fprintf(stderr, "bundlegen: verify: %s: not listed in %s/SHA256SUMS (sha256 %s)\n", o->file, dir, hex);
    return 1;
}

/* The bundle against release.json, which must match its own line in SHA256SUMS. */
static int verify_release(const opts *o, const char *dir, const buf *sums, const buf *rel, const char *hex,
                          const char *base, int signed_ok)
{
    char relhex[65];
    pack_sha256(rel->data, rel->len, relhex);
    if (!listed(sums, relhex, "release.json")) {
        fprintf(stderr, "bundlegen: verify: %s/release.json does not match its line in SHA256SUMS: it was modified\n", dir);
        return 1;
    }
    cJSON *doc = cJSON_Parse(rel->data), *b;
    const cJSON *match = NULL, *same_name = NULL;
    cJSON_ArrayForEach(b, cJSON_GetObjectItem(doc, "bundles")) {
        const char *file = field(b, "file"), *slash = strrchr(file, '/');
        if (!strcmp(field(b, "sha256"), hex)) match = b;
        if (!strcmp(slash ? slash + 1 : file, base)) same_name = b;
    }
    int rc = 1;
    if (!doc) {
        fprintf(stderr, "bundlegen: verify: %s/release.json is not valid JSON\n", dir);
    } else if (match && listed(sums, hex, field(match, "file"))) {
        printf("%s: %s %s (%s), needs node %s or newer: matches the release%s\n", o->file, field(match, "platform"),
               field(match, "version"), field(match, "name"), field(match, "min_node_version"),
               signed_ok ? " and its signatures" : " (signatures not checked: give --pubkey)");
        rc = 0;
    } else if (match) {
        fprintf(stderr, "bundlegen: verify: %s: listed in release.json as %s %s but not in SHA256SUMS\n", o->file,
                field(match, "platform"), field(match, "version"));
    } else if (same_name) {
        fprintf(stderr, "bundlegen: verify: %s: TAMPERED: does not match %s %s of the release (sha256 %s, the release "
                "says %s): the bundle was modified or damaged\n", o->file, field(same_name, "platform"),
                field(same_name, "version"), hex, field(same_name, "sha256"));
    } else {
        fprintf(stderr, "bundlegen: verify: %s: not a bundle of the release in %s (sha256 %s)\n", o->file, dir, hex);
    }
    cJSON_Delete(doc);
    return rc;
}

/* FILE as one of the release's artifacts (artifacts.json, not SHA256SUMS, has their digests: they are not
 * reproducible): 0 it matches, 1 tampered or a signature fails, -1 no artifact has its name. */
static int verify_artifact(const opts *o, const char *dir, const char *hex, const char *base, const sign_key *k)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/artifacts.json", dir);
    if (stat(path, &st) < 0) return -1;
    buf a = BUF_INIT;
    if (read_in(dir, "artifacts.json", &a) < 0) return 1;
    cJSON *doc = cJSON_Parse(a.data ? a.data : ""), *e;
    const cJSON *same = NULL;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(doc, "artifacts")) {
        const char *file = field(e, "file"), *slash = strrchr(file, '/');
        if (!strcmp(slash ? slash + 1 : file, base)) same = e;
    }
    int rc = -1;
    if (same && k && check_sig(dir, "artifacts.json", k) < 0) rc = 1;
    else if (same && !strcmp(field(same, "sha256"), hex)) {
        printf("%s: artifact of %s %s, built from %s by the release check %s (not reproducible): matches "
               "artifacts.json%s\n", o->file, field(same, "platform"), field(same, "version"), field(same, "built_from"),
               field(same, "check"), k ? " and its signature" : " (signature not checked: give --pubkey)");
        rc = 0;
    } else if (same) {
        fprintf(stderr, "bundlegen: verify: %s: TAMPERED: does not match %s in artifacts.json (sha256 %s, artifacts.json "
                "says %s): the file was modified or damaged\n", o->file, field(same, "file"), hex, field(same, "sha256"));
        rc = 1;
    }
    cJSON_Delete(doc);
    buf_free(&a);
    return rc;
}

static int verify_bundle(const opts *o, const char *dir, const sign_key *k)
{
    buf data = BUF_INIT, rel = BUF_INIT, sums = BUF_INIT;
    char hex[65], relpath[4096];
    int rc = 1;
    struct stat st;
    if (stat(o->file, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "bundlegen: verify: %s is a folder: check its files with sha256sum -c against SHA256SUMS\n", o->file);
        return 1;
    }
    data.limit = 256u << 20;
    if (buf_read_file(&data, o->file) < 0) {
        fprintf(stderr, "bundlegen: verify: %s: %s\n", o->file, strerror(errno));
        return 1;
    }
    snprintf(relpath, sizeof relpath, "%s/release.json", dir);
    int has_rel = stat(relpath, &st) == 0;
    char *base_copy = strdup(o->file);
    const char *base = base_copy ? basename(base_copy) : o->file;
    if (read_in(dir, "SHA256SUMS", &sums) < 0 || (has_rel && read_in(dir, "release.json", &rel) < 0)) goto done;
    if (k && (check_sig(dir, "SHA256SUMS", k) < 0 || (has_rel && check_sig(dir, "release.json", k) < 0))) goto done;
    pack_sha256(data.data ? data.data : "", data.len, hex);
    if ((rc = verify_artifact(o, dir, hex, base, k)) >= 0) goto done;
    rc = has_rel ? verify_release(o, dir, &sums, &rel, hex, base, k != NULL) : verify_sums_only(o, dir, &sums, hex, base);
done:
    free(base_copy);
    buf_free(&data);
    buf_free(&rel);
    buf_free(&sums);
    return rc;
}

int cli_verify(int argc, char **argv)
{
    opts o;
    int rc = parse_args(&verify_cmd, argc, argv, &o);
    if (rc) return rc == 1 ? 0 : 2;
    char err[2048];
    sign_key k;
    if (o.pubkey && sign_load(o.pubkey, 0, &k, err, sizeof err) < 0) {
        fprintf(stderr, "bundlegen: verify: %s\n", err);
        return 1;
    }
    char *dir = release_dir(&o);
    if (!dir) {
        fprintf(stderr, "bundlegen: verify: no SHA256SUMS beside %s or in its parent folder: give --release DIR\n", o.file);
        return 1;
    }
    rc = verify_bundle(&o, dir, o.pubkey ? &k : NULL);
    free(dir);
    return rc;
}
