/* config.h -- edgenode's YAML configuration: every key, validated and compiled once.
 * A loaded config is immutable; reload builds a new one (see state.h). */
#ifndef CONFIG_H
#define CONFIG_H
#include <stddef.h>
#include "cidr.h"
#include "routes.h"
#include "filters.h"

enum { CONFIG_MODE_OFF, CONFIG_MODE_MONITORING, CONFIG_MODE_SAFE_BLOCKING, CONFIG_MODE_BLOCK };

typedef struct config_proxy_rule {
    cidr_list trusted;          /* empty = every network */
    char **host_headers; size_t nhost_headers;
    char **ip_headers;   size_t nip_headers;
} config_proxy_rule;

/* brute_force and forced_browsing entries: statuses of response reports counted per client address. */
enum { CONFIG_COUNT_BRUTE_FORCE, CONFIG_COUNT_FORCED_BROWSING };
#define CONFIG_MAX_STATUSES 16
typedef struct config_count_rule {
    int kind;                   /* CONFIG_COUNT_* */
    char *path;                 /* prefix of the reported path */
    int statuses[CONFIG_MAX_STATUSES]; size_t nstatuses;
    long limit;                 /* more than this many within window blocks */
    unsigned long window_ms, block_ms;
} config_count_rule;

/* discovery: API inventory from traffic (inventory.h). */
typedef struct config_discovery {
    int enabled;                /* default on */
    long max_hosts, max_endpoints, max_parameters;   /* hosts; endpoints per host; parameters per endpoint */
    unsigned long publish_ms;   /* how often a replica publishes its part to the shared store */
} config_discovery;

typedef struct config {
    char *path;                 /* the file it came from */
    char *listen;  char listen_ip[64];  int listen_port;
    char *admin_listen; char admin_ip[64]; int admin_port;      /* admin_port 0 = no admin listener */
    char *tls_cert, *tls_key;   /* file paths, both or neither */
    unsigned threads;
    int mode;                   /* default mode, CONFIG_MODE_* */
    long application;           /* default application id */
    char **allowed_hosts; size_t nallowed_hosts;    /* globs; none = every host */
    cidr_list allowed_networks; /* empty = every network */
    char **tokens; size_t ntokens;
    config_proxy_rule *proxy; size_t nproxy;
    int proxy_default;          /* no proxy_headers key: X-Forwarded-Host / X-Real-IP from anyone */
    route_table routes;
    filter_list bypass, inspect;
    cidr_list denylist, allowlist, graylist;
    unsigned max_connections;
    size_t max_request_line;    /* bytes of the request line analysed whole */
    size_t max_header_line;     /* bytes of one header line analysed whole */
    size_t max_header_bytes, max_body_bytes;
    size_t max_params;          /* query parameters analysed; 0 = no count limit */
    size_t connection_memory;   /* the most bytes of a request head read (431 past it); 0 = derived (server.h) */
    int oversize;               /* default oversize policy, OVERSIZE_* */
    int threshold;              /* detection.threshold: the request score that is an attack (detect.h) */
    unsigned idle_timeout_s;
    unsigned long request_timeout_ms;   /* headers to complete body; 0 = unlimited */
    unsigned long conn_max_requests;    /* 0 = unlimited */
    size_t conn_max_bytes;              /* 0 = unlimited */
    unsigned long conn_max_duration_ms; /* 0 = unlimited */
    unsigned long reply_timeout_ms;     /* 0 = none */
    unsigned long drain_timeout_ms;
    char *rules_path;           /* resolved; never NULL after a successful load */
    char *vulns_path;           /* passive vulnerability rules; NULL = none (vulnerability_rules: off, or none shipped) */
    int vulns_off;
    config_discovery discovery;
    char *events_path;          /* NULL = attacks are not written */
    char *shared_store;         /* Redis URL, or NULL for the in-process store */
    config_count_rule *counts; size_t ncounts;  /* brute_force then forced_browsing entries */
} config;

/* Error list: each entry "FILE:LINE:COL: key: reason". */
typedef struct config_errors { char **v; size_t n; } config_errors;
void config_errors_add(config_errors *e, const char *msg);   /* copies msg */
void config_errors_free(config_errors *e);

/* Loads and validates a file; NULL when there is any error (all of them are in errs). */
config *config_load(const char *path, config_errors *errs);
/* The same from memory; name labels errors and base_dir resolves relative paths (NULL = cwd). */
config *config_load_buffer(const char *text, size_t len, const char *name,
                           const char *base_dir, config_errors *errs);
void config_free(config *c);

const char *config_mode_name(int mode);
/* Returns CONFIG_MODE_* or -1. */
int config_mode_parse(const char *s);

#endif
