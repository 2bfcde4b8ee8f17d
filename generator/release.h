/* release.h -- the release pipeline: every platform's current bundle rendered, checked, listed
 * and signed into one folder that appears complete or not at all. */
#ifndef RELEASE_H
#define RELEASE_H
#include <stddef.h>

#define RELEASE_EXAMPLE_ENDPOINT "https://node.example.com"

typedef struct release_opts {
    const char *root;       /* the data folder */
    const char *packs;      /* template packs; NULL: ROOT/packs */
    const char *out;        /* the release folder to create; must not exist */
    const char *checks;     /* folder of check scripts NAME.sh; NULL: ROOT/scripts/checks */
    const char *sign_key;   /* minisign secret key file, or NULL */
    const char *endpoint;   /* the bundles' endpoint; NULL: RELEASE_EXAMPLE_ENDPOINT */
    int         jobs;       /* platforms handled at once; < 1: 1 */
    /* Called as each platform finishes (from worker threads, one at a time): status is "ok" or the
     * failure. May be NULL. */
    void (*progress)(void *ud, size_t done, size_t total, const char *id, const char *version, const char *status);
    void *ud;
} release_opts;

/* Writes OUT/bundles/<file>, OUT/packs/<fingerprint>.tar.gz (every version's pack), the changelog
 * as OUT/changelog.md, .json and .atom, OUT/release.json (per bundle: platform, name, version, date,
 * file, size, sha256, min_node_version, fingerprint, artifacts), OUT/SHA256SUMS, and with a key the
 * minisign signatures SHA256SUMS.minisig and release.json.minisig. Files a check leaves in the folder
 * named by $BUNDLEGEN_ARTIFACTS become OUT/artifacts/<id>-<version>-<name>, described (size, sha256,
 * the bundle built from) in OUT/artifacts.json, signed too; they may differ between runs. Everything is
 * built in a temporary folder beside OUT and renamed at the end. Two runs over the same tree give
 * identical bytes but for the artifacts and artifacts.json.
 * 0, or -1 with err naming each platform and check that failed. */
int release_run(const release_opts *o, char *err, size_t errsz);

#endif
