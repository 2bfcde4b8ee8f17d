/* release.c -- renders every platform at its current version, runs its static checks, and writes bundles,
 * packs, changelogs, the release manifest, SHA256SUMS and signatures reproducibly, plus the checks' artifacts. */
#define _XOPEN_SOURCE 700   /* nftw */
#include "release.h"
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <dirent.h>
#include <ftw.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <sodium.h>
#include "bundle.h"
#include "changelog.h"
#include "packs.h"
#include "params.h"
#include "sign.h"

extern char **environ;

#define RELEASE_CHECK_LIMIT 300   /* seconds one check may take */
#define ARTIFACTS_VAR "BUNDLEGEN_ARTIFACTS"

typedef struct artifact {
    char *file;                  /* artifacts/<id>-<version>-<name> */
    char *check;                 /* the check that built it */
} artifact;

typedef struct job {
    char       *id;
    changelog  *log;
    char       *name;
    bundle      b;
    int         built;
    char        version[32], date[11], node[32], fingerprint[65];
    buf         error;          /* why this platform failed; empty when it did not */
    artifact   *arts;           /* files its checks built (not reproducible), in the order made */
    size_t      narts;
} job;

typedef struct run {
    const release_opts *o;
    const char *tmp, *packs, *checks, *endpoint;
    job        *jobs;
    size_t      n, next, done;
    pthread_mutex_t lock;
} run;

/* Appends a failure to b and returns -1. */
/* Adds a copy of name to the growing list names (cap entries). */
static int names_add(char ***names, size_t *n, size_t *cap, const char *name)
{
    if (*n + 1 >= *cap) {
        char **more = realloc(*names, 2 * *cap * sizeof *more);
        if (!more) return -1;
        *names = more;
        *cap *= 2;
    }
    return ((*names)[(*n)++] = strdup(name)) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st; (void)flag; (void)f;
    return remove(path);
}

static void rm_tree(const char *dir) { nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* environ without ARTIFACTS_VAR, plus ARTIFACTS_VAR=dir; free the array only (the strings are environ's and
 * var's). */
static char **env_with_artifacts(const char *var)
{
    size_t n = 0;
    while (environ[n]) n++;
    char **env = calloc(n + 2, sizeof *env);
    if (!env) return NULL;
    size_t k = 0, len = strlen(ARTIFACTS_VAR "=");
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], ARTIFACTS_VAR "=", len) != 0) env[k++] = environ[i];
    env[k] = (char *)var;
    return env;
}

/* Runs CHECKS/NAME.sh FILE with its output in log, and ARTIFACTS_VAR naming the folder where it may leave
 * files for the release; 0 when it passes. */
static int run_check(const char *script, const char *file, const char *log, const char *artifacts, buf *why)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    char *argv[] = {(char *)script, (char *)file, NULL};
    posix_spawnattr_t at;                     /* its own process group, so a timeout ends all of it */
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&at, 0);
    pid_t pid;
    char var[4200];
    snprintf(var, sizeof var, "%s=%.4000s", ARTIFACTS_VAR, artifacts);
    char **env = env_with_artifacts(var);
    int rc = env ? posix_spawn(&pid, script, &fa, &at, argv, env) : ENOMEM, st = 0;
    free(env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) return buf_fail(why, "cannot run %s: %s", script, strerror(rc));
    int waited = 0;                           /* tenths of a second */
    pid_t got;
    while ((got = waitpid(pid, &st, WNOHANG)) == 0 || (got < 0 && errno == EINTR)) {
        if (waited++ == RELEASE_CHECK_LIMIT * 10) kill(-pid, SIGKILL);
        usleep(100000);
    }
    if (waited > RELEASE_CHECK_LIMIT * 10) return buf_fail(why, "took longer than %d s and was stopped", RELEASE_CHECK_LIMIT);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
    buf out = BUF_INIT;
    out.limit = 1 << 20;
    buf_read_file(&out, log);
    const char *tail = out.data ? out.data : "";
    if (out.len > 1500) tail = out.data + out.len - 1500;
    buf_printf(why, "failed (%s %d):\n%s", WIFEXITED(st) ? "exit" : "signal",
               WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), tail);
    buf_free(&out);
    return -1;
}

static int artifact_name_ok(const char *n)
{
    if (!*n || *n == '.') return 0;
    for (; *n; n++)
        if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') || (*n >= '0' && *n <= '9') || strchr("._-", *n)))
            return 0;
    return 1;
}

/* Moves the files check left in the folder from into TMP/artifacts/<id>-<version>-<name>, sorted by name,
 * and lists them in j. */
static int take_artifacts(run *r, job *j, const char *check, const char *from)
{
    struct dirent **ents = NULL;
    int n = scandir(from, &ents, NULL, alphasort), rc = 0;
    if (n < 0) return buf_fail(&j->error, "%s: %s: %s\n", j->id, from, strerror(errno));
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/artifacts", r->tmp);
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (rc < 0 || !strcmp(name, ".") || !strcmp(name, "..")) continue;
        char src[8300], rel[1024], dst[5200];
        snprintf(src, sizeof src, "%.4000s/%.4000s", from, name);
        snprintf(rel, sizeof rel, "artifacts/%s-%s-%.900s", j->id, j->version, name);
        snprintf(dst, sizeof dst, "%s/%s", r->tmp, rel);
        struct stat st;
        artifact *more = realloc(j->arts, (j->narts + 1) * sizeof *more);
        if (!more) { rc = buf_fail(&j->error, "%s: out of memory\n", j->id); continue; }
        j->arts = more;
        if (!artifact_name_ok(name) || lstat(src, &st) < 0 || !S_ISREG(st.st_mode))
            rc = buf_fail(&j->error, "%s: check \"%s\" left \"%s\" in %s: an artifact is a regular file named with "
                          "letters, digits and ._- (not starting with .)\n", j->id, check, name, ARTIFACTS_VAR);
        else if ((mkdir(dir, 0755) < 0 && errno != EEXIST) || rename(src, dst) < 0)
            rc = buf_fail(&j->error, "%s: %s: %s\n", j->id, dst, strerror(errno));
        else {
            artifact a = {strdup(rel), strdup(check)};
            if (a.file && a.check) j->arts[j->narts++] = a;
            else {
                free(a.file);
                free(a.check);
                rc = buf_fail(&j->error, "%s: out of memory\n", j->id);
            }
        }
    }
    for (int i = 0; i < n; i++) free(ents[i]);
    free(ents);
    return rc;
}

/* Writes the rendered files below TMP/work/ID and runs each of the manifest's checks on them; files a check
 * leaves in its ARTIFACTS_VAR folder become the platform's artifacts. */
static int check_platform(run *r, job *j, const manifest *m)
{
    char dir[4096], arts[4200];
    snprintf(dir, sizeof dir, "%s/work/%s", r->tmp, j->id);
    snprintf(arts, sizeof arts, "%.4000s.artifacts", dir);
    char err[2048];
    if (pack_save_dir(dir, j->b.files, j->b.nfiles, err, sizeof err) < 0)
        return buf_fail(&j->error, "%s: %s", j->id, err);
    if (mkdir(arts, 0755) < 0) return buf_fail(&j->error, "%s: %s: %s\n", j->id, arts, strerror(errno));
    int rc = 0;
    for (size_t i = 0; i < m->nchecks; i++) {
        char script[4096], file[4096], log[4200 + 32];
        snprintf(script, sizeof script, "%s/%s.sh", r->checks, m->checks[i].run);
        snprintf(file, sizeof file, "%.3000s/%.1000s", dir, m->checks[i].file);
        snprintf(log, sizeof log, "%.4000s.check%zu.log", dir, i);
        if (access(script, X_OK) < 0) {
            buf_printf(&j->error, "%s: check \"%s\" on %s: unknown check (no executable %s)\n", j->id,
                       m->checks[i].run, m->checks[i].file, script);
            rc = -1;
            continue;
        }
        buf why = BUF_INIT;
        if (run_check(script, file, log, arts, &why) < 0) {
            buf_printf(&j->error, "%s: check \"%s\" on %s %s\n", j->id, m->checks[i].run, m->checks[i].file,
                       why.data ? why.data : "");
            rc = -1;
        } else if (take_artifacts(r, j, m->checks[i].run, arts) < 0) rc = -1;
        buf_free(&why);
    }
    return rc;
}

/* Verifies every version's template pack and copies it into TMP/packs. */
static int copy_packs(run *r, job *j)
{
    for (size_t i = 0; i < j->log->n; i++) {
        const char *hex = j->log->entries[i].fingerprint;
        char from[4096], to[4096], err[6144];
        snprintf(from, sizeof from, "%s/%s.tar.gz", r->packs, hex);
        snprintf(to, sizeof to, "%s/packs/%s.tar.gz", r->tmp, hex);
        buf b = BUF_INIT;
        fingerprint_set s;
        int rc = -1;
        if (buf_read_file(&b, from) < 0) snprintf(err, sizeof err, "%s: %s", from, strerror(errno));
        else if (packs_parse(from, b.data ? b.data : "", b.len, hex, &s, err, sizeof err) == 0) {
            fingerprint_set_free(&s);
            rc = pack_save(to, b.data, b.len, err, sizeof err);
        }
        buf_free(&b);
        if (rc < 0) {
            return buf_fail(&j->error, "%s %s: template pack: %s (bundlegen changelog check says what to do)\n", j->id,
                              j->log->entries[i].version, err);
        }
    }
    return 0;
}

static int build_platform(run *r, job *j)
{
    char err[4096];
    bundle_source src;
    if (!(j->log = changelog_load(r->o->root, j->id, err, sizeof err)))
        return buf_fail(&j->error, "%s: %s (every platform needs a changelog: bundlegen changelog check)\n", j->id,
                          err);
    if (bundle_resolve(r->o->root, r->packs, j->id, NULL, &src, err, sizeof err) < 0)
        return buf_fail(&j->error, "%s: %s\n", j->id, err);
    int rc = 0;
    if (src.stale) {
        buf_printf(&j->error, "%s: the manifest or templates changed since %s was recorded: add a changelog entry "
                   "(bundlegen changelog check --platform %s says exactly what)\n", j->id, src.version, j->id);
        rc = -1;
    }
    memcpy(j->version, src.version, sizeof j->version);
    memcpy(j->date, src.date, sizeof j->date);
    memcpy(j->node, src.node, sizeof j->node);
    memcpy(j->fingerprint, src.fingerprint, sizeof j->fingerprint);
    if (!(j->name = strdup(src.m->name))) rc = -1;
    char set[4200];
    snprintf(set, sizeof set, "endpoint=%s", r->endpoint);
    const char *sets[] = {set};
    cJSON *errors = NULL;
    cJSON *params = rc == 0 ? params_from_cli(src.m->params, src.m->nparams, sets, 1, &errors) : NULL;
    if (params && ((errors = cJSON_CreateArray()) == NULL ||
                   plimits_check_params(&src.m->limits, src.m->name, params, errors) != 0)) {
        cJSON_Delete(params);
        params = NULL;
    }
    cJSON *ctx = params ? bundle_context(src.m, src.version, params) : NULL;
    if (rc == 0 && !ctx) {
        buf t = BUF_INIT;
        params_errors_text(errors, &t);
        buf_printf(&j->error, "%s: the release parameters: %s\n", j->id, t.data ? t.data : "out of memory");
        buf_free(&t);
        rc = -1;
    }
    cJSON_Delete(errors);
    if (rc == 0 && bundle_make(src.m, src.set, ctx, src.version, src.mtime, &j->b, err, sizeof err) < 0) {
        buf_printf(&j->error, "%s: %s\n", j->id, err);
        rc = -1;
    }
    cJSON_Delete(ctx);
    if (rc == 0) {
        j->built = 1;
        char path[4096];
        snprintf(path, sizeof path, "%s/bundles/%s", r->tmp, j->b.file_name);
        if (bundle_write(&j->b, path, err, sizeof err) < 0) rc = buf_fail(&j->error, "%s: %s\n", j->id, err);
    }
    if (rc == 0) rc = check_platform(r, j, src.m);
    if (copy_packs(r, j) < 0) rc = -1;
    bundle_source_free(&src);
    return rc;
}

static void *worker(void *arg)
{
    run *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        size_t i = r->next < r->n ? r->next++ : r->n;
        pthread_mutex_unlock(&r->lock);
        if (i == r->n) return NULL;
        job *j = &r->jobs[i];
        build_platform(r, j);
        pthread_mutex_lock(&r->lock);
        r->done++;
        if (r->o->progress)
            r->o->progress(r->o->ud, r->done, r->n, j->id, j->version[0] ? j->version : "?",
                           j->error.len ? j->error.data : "ok");
        pthread_mutex_unlock(&r->lock);
    }
}

static int write_file(const char *tmp, const char *name, const void *data, size_t len, char *err, size_t errsz)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    return pack_save(path, data, len, err, errsz);
}

static int write_changelogs(run *r, char *err, size_t errsz)
{
    static const struct { changelog_format f; const char *name; } outs[] = {
        {FORMAT_MD, "changelog.md"}, {FORMAT_JSON, "changelog.json"}, {FORMAT_ATOM, "changelog.atom"}};
    changelog_platform *ps = calloc(r->n + 1, sizeof *ps);
    if (!ps) { snprintf(err, errsz, "out of memory"); return -1; }
    for (size_t i = 0; i < r->n; i++) ps[i] = (changelog_platform){r->jobs[i].id, r->jobs[i].name, r->jobs[i].log};
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < 3; k++) {
        buf b = BUF_INIT;
        if (changelog_render(ps, r->n, outs[k].f, &b) < 0) { snprintf(err, errsz, "out of memory"); rc = -1; }
        else rc = write_file(r->tmp, outs[k].name, b.data, b.len, err, errsz);
        buf_free(&b);
    }
    free(ps);
    return rc;
}

static cJSON *release_json(run *r)
{
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    if (!root || !arr) { cJSON_Delete(root); cJSON_Delete(arr); return NULL; }
    cJSON_AddStringToObject(root, "generator_version", BUNDLEGEN_VERSION);
    cJSON_AddNumberToObject(root, "protocol_version", BUNDLE_PROTOCOL_VERSION);
    cJSON_AddStringToObject(root, "endpoint", r->endpoint);
    cJSON_AddItemToObject(root, "bundles", arr);
    for (size_t i = 0; i < r->n; i++) {
        const job *j = &r->jobs[i];
        char file[1024];
        snprintf(file, sizeof file, "bundles/%s", j->b.file_name);
        size_t size = j->b.packed.len, nent;
        const pack_file *ent = bundle_entries(&j->b, &nent);
        if (j->b.kind == PACK_DIR)
            for (size_t k = 0; k < nent; k++) size += ent[k].len;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "platform", j->id);
        cJSON_AddStringToObject(o, "name", j->name);
        cJSON_AddStringToObject(o, "version", j->version);
        cJSON_AddStringToObject(o, "date", j->date);
        cJSON_AddStringToObject(o, "file", file);
        cJSON_AddStringToObject(o, "archive", pack_kind_label(j->b.kind));
        cJSON_AddNumberToObject(o, "size", (double)size);
        cJSON_AddStringToObject(o, "sha256", j->b.sha256);
        cJSON_AddStringToObject(o, "min_node_version", j->node);
        cJSON_AddStringToObject(o, "fingerprint", j->fingerprint);
        if (j->narts) {   /* by name only: their digests are in artifacts.json, so this file stays reproducible */
            cJSON *a = cJSON_AddArrayToObject(o, "artifacts");
            for (size_t k = 0; a && k < j->narts; k++) cJSON_AddItemToArray(a, cJSON_CreateString(j->arts[k].file));
        }
    }
    return root;
}

/* artifacts.json: what the checks built, with size and SHA-256, or NULL with *none set when there is nothing. */
static cJSON *artifacts_json(run *r, int *none, char *err, size_t errsz)
{
    *none = 1;
    for (size_t i = 0; i < r->n; i++)
        if (r->jobs[i].narts) *none = 0;
    cJSON *root = *none ? NULL : cJSON_CreateObject(), *arr = root ? cJSON_AddArrayToObject(root, "artifacts") : NULL;
    if (*none) return NULL;
    if (!arr) { cJSON_Delete(root); snprintf(err, errsz, "out of memory"); return NULL; }
    cJSON_AddStringToObject(root, "generator_version", BUNDLEGEN_VERSION);
    cJSON_AddBoolToObject(root, "reproducible", 0);
    for (size_t i = 0; i < r->n; i++) {
        const job *j = &r->jobs[i];
        for (size_t k = 0; k < j->narts; k++) {
            char path[4096], hex[65], from[1024];
            snprintf(path, sizeof path, "%s/%s", r->tmp, j->arts[k].file);
            buf b = BUF_INIT;
            if (buf_read_file(&b, path) < 0 || pack_sha256(b.data ? b.data : "", b.len, hex) < 0) {
                snprintf(err, errsz, "%s: %s", path, strerror(errno));
                buf_free(&b);
                cJSON_Delete(root);
                return NULL;
            }
            snprintf(from, sizeof from, "bundles/%s", j->b.file_name);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, o);
            cJSON_AddStringToObject(o, "file", j->arts[k].file);
            cJSON_AddNumberToObject(o, "size", (double)b.len);
            cJSON_AddStringToObject(o, "sha256", hex);
            cJSON_AddStringToObject(o, "platform", j->id);
            cJSON_AddStringToObject(o, "version", j->version);
            cJSON_AddStringToObject(o, "built_from", from);
            cJSON_AddStringToObject(o, "built_from_sha256", j->b.sha256);
            cJSON_AddStringToObject(o, "check", j->arts[k].check);
            buf_free(&b);
        }
    }
    return root;
}

/* Writes json (taking it) as NAME with a final newline. */
static int write_json(run *r, const char *name, cJSON *json, char *err, size_t errsz)
{
    char *text = json ? cJSON_Print(json) : NULL;
    cJSON_Delete(json);
    buf t = BUF_INIT;
    int rc = !text || buf_printf(&t, "%s\n", text) < 0 ? (snprintf(err, errsz, "out of memory"), -1)
           : write_file(r->tmp, name, t.data, t.len, err, errsz);
    cJSON_free(text);
    buf_free(&t);
    return rc;
}

static int sums_add(buf *sums, const char *tmp, const char *rel)
{
    char path[4096], hex[65];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    buf b = BUF_INIT;
    int rc = buf_read_file(&b, path) < 0 || pack_sha256(b.data ? b.data : "", b.len, hex) < 0 ? -1
           : buf_printf(sums, "%s  %s\n", hex, rel);
    buf_free(&b);
    return rc;
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* SHA256SUMS: every file of the release but the sums and signatures, sorted by path. */
static int write_sums(run *r, buf *sums, char *err, size_t errsz)
{
    size_t cap = 16 + 8 * r->n, n = 0;
    char **names = calloc(cap, sizeof *names);
    int rc = names ? 0 : -1;
    static const char *const top[] = {"changelog.atom", "changelog.json", "changelog.md", "release.json"};
    for (size_t i = 0; rc == 0 && i < 4; i++) rc = names_add(&names, &n, &cap, top[i]);
    for (size_t i = 0; rc == 0 && i < r->n; i++) {
        const job *j = &r->jobs[i];
        size_t nent;
        const pack_file *ent = bundle_entries(&j->b, &nent);
        for (size_t k = 0; rc == 0 && k < (j->b.kind == PACK_DIR ? nent : 1); k++) {
            char rel[2048];
            if (j->b.kind == PACK_DIR) snprintf(rel, sizeof rel, "bundles/%s/%s", j->b.file_name, ent[k].path);
            else snprintf(rel, sizeof rel, "bundles/%s", j->b.file_name);
            rc = names_add(&names, &n, &cap, rel);
        }
        for (size_t k = 0; rc == 0 && k < j->log->n; k++) {
            char rel[256];
            snprintf(rel, sizeof rel, "packs/%s.tar.gz", j->log->entries[k].fingerprint);
            int seen = 0;
            for (size_t q = 0; q < n && !seen; q++) seen = !strcmp(names[q], rel);
            if (!seen) rc = names_add(&names, &n, &cap, rel);
        }
    }
    if (rc == 0) qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; rc == 0 && i < n; i++) rc = sums_add(sums, r->tmp, names[i]);
    for (size_t i = 0; names && i < n; i++) free(names[i]);
    free(names);
    if (rc < 0) { snprintf(err, errsz, "cannot write SHA256SUMS"); return -1; }
    return write_file(r->tmp, "SHA256SUMS", sums->data, sums->len, err, errsz);
}

static int sign_files(run *r, const char *const *names, size_t n, char *err, size_t errsz)
{
    sign_key k;
    if (sign_load(r->o->sign_key, 1, &k, err, errsz) < 0) return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char path[4096], comment[256], sig_name[256];
        snprintf(path, sizeof path, "%s/%s", r->tmp, names[i]);
        snprintf(comment, sizeof comment, "file:%s\tbundlegen %s release", names[i], BUNDLEGEN_VERSION);
        snprintf(sig_name, sizeof sig_name, "%s.minisig", names[i]);
        buf data = BUF_INIT, sig = BUF_INIT;
        if (buf_read_file(&data, path) < 0) { snprintf(err, errsz, "%s: %s", path, strerror(errno)); rc = -1; }
        else if ((rc = sign_data(&k, data.data ? data.data : "", data.len, comment, &sig, err, errsz)) == 0)
            rc = write_file(r->tmp, sig_name, sig.data, sig.len, err, errsz);
        buf_free(&data);
        buf_free(&sig);
    }
    sodium_memzero(&k, sizeof k);
    return rc;
}

/* The temporary folder beside out: OUT.tmp-XXXXXX. */
static char *make_tmp(const char *out, char *err, size_t errsz)
{
    struct stat st;
    if (lstat(out, &st) == 0) {
        snprintf(err, errsz, "%s: already exists; remove it or choose another --out", out);
        return NULL;
    }
    size_t n = strlen(out) + sizeof ".tmp-XXXXXX";
    char *tmp = malloc(n);
    if (!tmp) { snprintf(err, errsz, "out of memory"); return NULL; }
    snprintf(tmp, n, "%s.tmp-XXXXXX", out);
    if (!mkdtemp(tmp)) {
        snprintf(err, errsz, "%s: cannot create a folder beside it: %s", out, strerror(errno));
        free(tmp);
        return NULL;
    }
    static const char *const subs[] = {"bundles", "packs", "work"};
    for (size_t i = 0; i < 3; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", tmp, subs[i]);
        if (mkdir(p, 0755) < 0) {
            snprintf(err, errsz, "%s: %s", p, strerror(errno));
            rm_tree(tmp);
            free(tmp);
            return NULL;
        }
    }
    return tmp;
}

/* Everything after the platforms: changelogs, release.json, SHA256SUMS, artifacts.json, signatures. */
static int finish(run *r, char *err, size_t errsz)
{
    if (write_changelogs(r, err, errsz) < 0) return -1;
    int rc = write_json(r, "release.json", release_json(r), err, errsz), none = 1;
    buf sums = BUF_INIT;
    if (rc == 0) rc = write_sums(r, &sums, err, errsz);
    buf_free(&sums);
    if (rc == 0) {
        cJSON *arts = artifacts_json(r, &none, err, errsz);
        if (!none) rc = arts ? write_json(r, "artifacts.json", arts, err, errsz) : -1;
    }
    static const char *const signed_files[] = {"SHA256SUMS", "release.json", "artifacts.json"};
    if (rc == 0 && r->o->sign_key) rc = sign_files(r, signed_files, none ? 2 : 3, err, errsz);
    return rc;
}

int release_run(const release_opts *o, char *err, size_t errsz)
{
    run r = {.o = o, .endpoint = o->endpoint ? o->endpoint : RELEASE_EXAMPLE_ENDPOINT};
    char **ids = NULL, checks[4096];
    size_t n = 0;
    if (manifest_list(o->root, &ids, &n, err, errsz) < 0) return -1;
    snprintf(checks, sizeof checks, "%s/scripts/checks", o->root);
    r.checks = o->checks ? o->checks : checks;
    char *packs = packs_dir(o->root, o->packs);
    char *tmp = packs ? make_tmp(o->out, err, errsz) : NULL;
    r.jobs = calloc(n + 1, sizeof *r.jobs);
    int rc = tmp && r.jobs ? 0 : -1;
    if (!packs || (tmp && !r.jobs)) snprintf(err, errsz, "out of memory");
    r.tmp = tmp;
    r.packs = packs;
    r.n = n;
    for (size_t i = 0; rc == 0 && i < n; i++) r.jobs[i].id = ids[i];
    if (rc == 0) {
        pthread_mutex_init(&r.lock, NULL);
        size_t nt = o->jobs < 1 ? 1 : (size_t)o->jobs > n ? (n ? n : 1) : (size_t)o->jobs;
        pthread_t th[64];
        if (nt > 64) nt = 64;
        size_t started = 0;
        for (; started < nt; started++)
            if (pthread_create(&th[started], NULL, worker, &r) != 0) break;
        if (started == 0) worker(&r);
        for (size_t i = 0; i < started; i++) pthread_join(th[i], NULL);
        pthread_mutex_destroy(&r.lock);
        buf all = BUF_INIT;
        for (size_t i = 0; i < n; i++)
            if (r.jobs[i].error.len) buf_puts(&all, r.jobs[i].error.data);
        if (all.len) {
            snprintf(err, errsz, "%s", all.data);
            size_t l = strlen(err);
            if (l && err[l - 1] == '\n') err[l - 1] = '\0';
            rc = -1;
        }
        buf_free(&all);
    }
    if (rc == 0) rc = finish(&r, err, errsz);
    if (tmp) {
        char work[4096];
        snprintf(work, sizeof work, "%s/work", tmp);
        rm_tree(work);
        if (rc == 0 && rename(tmp, o->out) < 0) {
            snprintf(err, errsz, "%s: cannot rename the finished release into place: %s", o->out, strerror(errno));
            rc = -1;
        }
        if (rc < 0) rm_tree(tmp);
    }
    for (size_t i = 0; r.jobs && i < n; i++) {
        changelog_free(r.jobs[i].log);
        free(r.jobs[i].name);
        if (r.jobs[i].built) bundle_free(&r.jobs[i].b);
        buf_free(&r.jobs[i].error);
        for (size_t k = 0; k < r.jobs[i].narts; k++) {
            free(r.jobs[i].arts[k].file);
            free(r.jobs[i].arts[k].check);
        }
        free(r.jobs[i].arts);
    }
    free(r.jobs);
    free(tmp);
    free(packs);
    manifest_list_free(ids, n);
    return rc;
}
