/* changelog.h -- a platform's bundle versions (changelog/<id>.yaml): semantic versions, the upgrade
 * and rollback policy, strict loading with file:line:column errors, and the md/json/atom feeds. */
#ifndef CHANGELOG_H
#define CHANGELOG_H
#include <stddef.h>
#include <time.h>
#include "buf.h"

typedef struct semver { unsigned long major, minor, patch; } semver;

typedef enum change_kind { CHANGE_ADDED, CHANGE_CHANGED, CHANGE_FIXED, CHANGE_SECURITY } change_kind;

typedef struct changelog_change {
    change_kind kind;
    char       *text;
} changelog_change;

typedef struct changelog_entry {
    char              version[32];     /* "1.2.3" */
    semver            v;
    char              date[11];        /* "YYYY-MM-DD" */
    char              node[32];        /* the minimum edgenode version */
    semver            node_v;
    char              fingerprint[65]; /* of the manifest and templates as released */
    changelog_change *changes;
    size_t            nchanges;
    int               line;            /* where the entry starts in the file, for messages */
} changelog_entry;

typedef struct changelog {
    char            *platform;
    char            *file;             /* the name used in messages */
    changelog_entry *entries;          /* newest first */
    size_t           n;
} changelog;

typedef enum update_strategy { UPDATE_NONE, UPDATE_PATCH, UPDATE_MINOR } update_strategy;

/* "MAJOR.MINOR.PATCH", decimal without leading zeros, each part up to 9 digits: 0 or -1. */
int changelog_semver_parse(const char *text, semver *out);
int changelog_semver_cmp(const semver *a, const semver *b);

const char *changelog_kind_name(change_kind k);
int         changelog_strategy_parse(const char *name, update_strategy *out);

/* Parses a changelog's text: the top-level keys `platform` and `versions`; each version has
 * version, date, node, fingerprint and changes (a list of {kind, text}). Checks everything the
 * file alone can say: semantic versions strictly decreasing downwards (no duplicates), real dates
 * not increasing downwards, node versions, 64 hex digits of fingerprint, known kinds, non-empty
 * texts. NULL with err = "FILE:LINE:COLUMN: field: reason". */
changelog *changelog_parse(const char *name, const char *src, size_t len, char *err, size_t errsz);

/* Loads ROOT/changelog/ID.yaml; its platform key must be id. */
changelog *changelog_load(const char *root, const char *id, char *err, size_t errsz);

/* The node's own changelog, ROOT/changelog/edgenode.yaml: the top-level keys `program: edgenode` and
 * `versions`, each version with version, date and changes only, under the same order rules. Every
 * platform version's `node` minimum must name one of its versions (changelog check), and its newest
 * version is the project's VERSION, which both programs print. No platform may be called edgenode. */
#define CHANGELOG_NODE "edgenode"
changelog *changelog_node_parse(const char *name, const char *src, size_t len, char *err, size_t errsz);
changelog *changelog_node_load(const char *root, char *err, size_t errsz);
void       changelog_free(changelog *c);

/* The entry for version, or NULL. The newest entry is c->entries[0]. */
const changelog_entry *changelog_find(const changelog *c, const char *version);

/* Comma-separated versions, newest first, for "unknown version" messages. */
void changelog_versions_text(const changelog *c, char *out, size_t outsz);

/* The entry's date as midnight UTC. */
time_t changelog_entry_time(const changelog_entry *e);

/* The version an automatic update from current moves to under strategy: none stays, patch takes
 * the newest of the same MAJOR.MINOR, minor the newest of the same MAJOR; never a new major.
 * Returns the entry, or NULL with err (unknown current version). */
const changelog_entry *changelog_update_target(const changelog *c, const char *current, update_strategy s,
                                               char *err, size_t errsz);

/* Whether a rollback from current to target is allowed: both known, target older, same major.
 * Returns 1 allowed, 0 refused (why filled), -1 unknown version (why filled). */
int changelog_rollback_allowed(const changelog *c, const char *current, const char *target,
                               char *why, size_t whysz);

/* One platform of a rendered changelog: its id and display name, and its history. */
typedef struct changelog_platform {
    const char      *id, *name;
    const changelog *log;
} changelog_platform;

typedef enum changelog_format { FORMAT_MD, FORMAT_JSON, FORMAT_ATOM } changelog_format;
int changelog_format_parse(const char *name, changelog_format *out);

/* Renders the platforms (in the order given) as a Markdown page (per platform a compatibility table,
 * then every version with its date and changes), a JSON feed (array of entries newest first: id,
 * artifact_id, platform, line, version, title, date, min_node_version, body_markdown) or an Atom feed.
 * Deterministic: no clock is read. 0, or -1 on memory failure. */
int changelog_render(const changelog_platform *ps, size_t n, changelog_format f, buf *out);

#endif
