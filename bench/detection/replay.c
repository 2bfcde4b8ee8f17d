/* replay.c -- replays the gotestwaf corpus (each file's encoders and placeholders) and labelled
 * request lists (--jsonl) through detect_analyze and ModSecurity v3 + CRS, and prints the rates. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>
#include <cjson/cJSON.h>
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>
#include <modsecurity/intervention.h>
#include "detect.h"

#define MAXH 24

typedef struct req {
    char *method, *path, *query, *body;
    size_t blen;
    httpreq_header h[MAXH];
    size_t nh;
    char set[24], tcase[64], cls[24], enc[16], ph[24];
    char split[8], src[48];        /* "train" or "test", and the corpus it came from */
    char *payload;
    int api, fp;
    int ours, crs;                 /* 1 blocked, 0 passed, -1 unresolved */
} req;

static req *reqs;
static size_t nreqs, capreqs;
static unsigned long long rng = 0x9E3779B97F4A7C15ull;

static void *xmalloc(size_t n) { void *p = malloc(n ? n : 1); if (!p) { perror("malloc"); exit(2); } return p; }
static char *xstrdup(const char *s) { char *p = xmalloc(strlen(s) + 1); strcpy(p, s); return p; }

static void rand_hex(char *out, int bytes)
{
    for (int i = 0; i < bytes; i++) {
        rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
        sprintf(out + 2 * i, "%02x", (unsigned)(rng & 0xff));
    }
}

static void free_req(req *r);

/* ---- gotestwaf's encoders ---- */

static char *enc_url(const char *s, size_t n)   /* Go url.PathEscape */
{
    char *o = xmalloc(n * 3 + 1), *p = o;
    for (const unsigned char *c = (const unsigned char *)s; c < (const unsigned char *)s + n; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            (*c && strchr("-_.~$&+:=@", *c))) *p++ = (char)*c;
        else p += sprintf(p, "%%%02X", *c);
    }
    *p = '\0';
    return o;
}

static char *enc_base64(const char *s, size_t n, int flat)
{
    static const char tb[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = xmalloc(n * 4 / 3 + 8), *p = o;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)u[i] << 16 | (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) | (i + 2 < n ? u[i + 2] : 0);
        *p++ = tb[v >> 18 & 63]; *p++ = tb[v >> 12 & 63];
        *p++ = i + 1 < n ? tb[v >> 6 & 63] : '=';
        *p++ = i + 2 < n ? tb[v & 63] : '=';
    }
    *p = '\0';
    if (flat) while (p > o && p[-1] == '=') *--p = '\0';
    return o;
}

static char *enc_jsunicode(const char *s)   /* every UTF-16 unit as \uXXXX */
{
    char *o = xmalloc(strlen(s) * 12 + 1), *p = o;
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        unsigned long cp = *u++;
        int more = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;
        if (more) cp &= (0x3F >> more);
        for (; more && (*u & 0xC0) == 0x80; more--) cp = cp << 6 | (*u++ & 0x3F);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            p += sprintf(p, "\\u%04lx\\u%04lx", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
        } else {
            p += sprintf(p, "\\u%04lx", cp);
        }
    }
    *p = '\0';
    return o;
}

static char *enc_xmlentity(const char *s)   /* Go xml.EscapeText inside <string> */
{
    char *o = xmalloc(strlen(s) * 6 + 32), *p = o;
    p += sprintf(p, "<string>");
    for (; *s; s++) {
        switch (*s) {
        case '"': p += sprintf(p, "&#34;"); break;
        case '\'': p += sprintf(p, "&#39;"); break;
        case '&': p += sprintf(p, "&amp;"); break;
        case '<': p += sprintf(p, "&lt;"); break;
        case '>': p += sprintf(p, "&gt;"); break;
        case '\t': p += sprintf(p, "&#x9;"); break;
        case '\n': p += sprintf(p, "&#xA;"); break;
        case '\r': p += sprintf(p, "&#xD;"); break;
        default: *p++ = *s;
        }
    }
    strcpy(p, "</string>");
    return o;
}

/* Payloads may hold NUL bytes (n counts them); only URL and base64 encoders carry them through. */
static char *encode(const char *enc, const char *s, size_t n)
{
    if (strcmp(enc, "URL") == 0) return enc_url(s, n);
    if (strcmp(enc, "Base64") == 0) return enc_base64(s, n, 0);
    if (strcmp(enc, "Base64Flat") == 0) return enc_base64(s, n, 1);
    if (strcmp(enc, "JSUnicode") == 0) return enc_jsunicode(s);
    if (strcmp(enc, "XMLEntity") == 0) return enc_xmlentity(s);
    return xstrdup(s);
}

static char *replace_all(const char *s, const char *what, const char *with)
{
    size_t wl = strlen(what), n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += wl) n++;
    char *o = xmalloc(strlen(s) + n * strlen(with) + 1), *q = o;
    for (const char *p = s, *m; ; p = m + wl) {
        m = strstr(p, what);
        if (!m) { strcpy(q, p); break; }
        memcpy(q, p, (size_t)(m - p)); q += m - p;
        strcpy(q, with); q += strlen(with);
    }
    return o;
}

/* ---- placeholders ---- */

static void add_header(req *r, const char *k, const char *v)
{
    for (size_t i = 0; i < r->nh; i++)
        if (strcasecmp(r->h[i].name, k) == 0) { free((char *)r->h[i].value); r->h[i].value = xstrdup(v); return; }
    if (r->nh < MAXH) { r->h[r->nh].name = xstrdup(k); r->h[r->nh].value = xstrdup(v); r->nh++; }
}

static void default_headers(req *r)
{
    static const char *const d[][2] = {
        {"Host", "localhost:8080"},
        {"User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"},
        {"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"},
        {"Accept-Encoding", "gzip, deflate, br"},
        {"Accept-Language", "en-US,en;q=0.9"},
        {"Cache-Control", "no-cache"},
        {"Pragma", "no-cache"},
        {"Sec-Ch-Ua", "\"Chromium\";v=\"122\", \"Not(A:Brand\";v=\"24\", \"Google Chrome\";v=\"122\""},
        {"Sec-Ch-Ua-Mobile", "?0"},
        {"Sec-Ch-Ua-Platform", "\"Windows\""},
        {"Sec-Fetch-Dest", "document"},
        {"Sec-Fetch-Mode", "navigate"},
        {"Sec-Fetch-Site", "none"},
        {"Sec-Fetch-User", "?1"},
        {"Upgrade-Insecure-Requests", "1"},
        {"Connection", "close"},
    };
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) add_header(r, d[i][0], d[i][1]);
}

static void set_body(req *r, const char *ct, char *body)
{
    r->method = xstrdup("POST");
    if (ct) add_header(r, "Content-Type", ct);
    r->body = body;
    r->blen = strlen(body);
    char len[32];
    snprintf(len, sizeof len, "%zu", r->blen);
    add_header(r, "Content-Length", len);
}

/* Builds one request; returns 0 when the placeholder cannot be sent here (GraphQL, gRPC). */
static int build(req *r, const char *ph, const char *enc, const char *payload, size_t plen,
                 yaml_document_t *doc, yaml_node_t *raw)
{
    char rnd[16], *e = encode(enc, payload, plen), *b;
    rand_hex(rnd, 5);
    default_headers(r);
    r->path = xstrdup("/");
    r->method = NULL;
    if (strcmp(ph, "URLParam") == 0) {
        r->query = xmalloc(strlen(e) + 16);
        sprintf(r->query, "%s=%s", rnd, e);
    } else if (strcmp(ph, "URLPath") == 0) {
        free(r->path);
        r->path = xmalloc(strlen(e) + 2);
        sprintf(r->path, "/%s", e);
    } else if (strcmp(ph, "Header") == 0) {
        if (strpbrk(e, "\r\n")) { free(e); return 0; }   /* Go's client refuses: "failed" */
        char name[20];
        snprintf(name, sizeof name, "X-%s", rnd);
        add_header(r, name, e);
    } else if (strcmp(ph, "UserAgent") == 0) {
        add_header(r, "User-Agent", e);
    } else if (strcmp(ph, "JSONRequest") == 0) {
        char *u = enc_jsunicode(e);
        b = xmalloc(strlen(u) + 64);
        sprintf(b, "{\"test\": true, \"%s\": \"%s\"}", rnd, u);
        free(u);
        set_body(r, "application/json", b);
    } else if (strcmp(ph, "JSONBody") == 0) {
        set_body(r, "application/json", xstrdup(e));
    } else if (strcmp(ph, "HTMLForm") == 0) {
        b = xmalloc(strlen(e) + 16);
        sprintf(b, "%s=%s", rnd, e);
        set_body(r, "application/x-www-form-urlencoded", b);
    } else if (strcmp(ph, "HTMLMultipartForm") == 0) {
        char bnd[64], ct[128];
        rand_hex(bnd, 30);
        snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", bnd);
        b = xmalloc(strlen(e) + 256);
        sprintf(b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n--%s--\r\n", bnd, rnd, e, bnd);
        set_body(r, ct, b);
    } else if (strcmp(ph, "RequestBody") == 0) {
        set_body(r, NULL, xstrdup(e));
    } else if (strcmp(ph, "XMLBody") == 0) {
        set_body(r, "application/xml", xstrdup(e));
    } else if (strcmp(ph, "SOAPBody") == 0) {
        char *x = enc_xmlentity(e);
        b = xmalloc(strlen(x) + 512);
        sprintf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv="
                   "\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Header/><soapenv:Body>"
                   "<ab%s>%s</ab%s></soapenv:Body></soapenv:Envelope>", rnd, x, rnd);
        free(x);
        set_body(r, "text/xml", b);
        add_header(r, "SOAPAction", "\"http://schemas.xmlsoap.org/soap/envelope/\"");
    } else if (strcmp(ph, "RawRequest") == 0 && raw && raw->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = raw->data.mapping.pairs.start; p < raw->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key), *v = yaml_document_get_node(doc, p->value);
            const char *key = (const char *)k->data.scalar.value;
            if (v->type == YAML_SCALAR_NODE) {
                const char *val = (const char *)v->data.scalar.value;
                if (strcmp(key, "method") == 0) { free(r->method); r->method = xstrdup(val); }
                else if (strcmp(key, "path") == 0) {
                    char *pe = enc_url(e, strlen(e));
                    free(r->path);
                    r->path = replace_all(val, "{{payload}}", pe);
                    free(pe);
                    char *q = strchr(r->path, '?');
                    if (q) { *q = '\0'; r->query = xstrdup(q + 1); }
                } else if (strcmp(key, "body") == 0) {
                    char *m = r->method;
                    set_body(r, NULL, replace_all(val, "{{payload}}", e));
                    free(r->method);
                    r->method = m;
                }
            } else if (strcmp(key, "headers") == 0 && v->type == YAML_MAPPING_NODE) {
                for (yaml_node_pair_t *h = v->data.mapping.pairs.start; h < v->data.mapping.pairs.top; h++) {
                    char *hv = replace_all((const char *)yaml_document_get_node(doc, h->value)->data.scalar.value, "{{payload}}", e);
                    add_header(r, (const char *)yaml_document_get_node(doc, h->key)->data.scalar.value, hv);
                    free(hv);
                }
            }
        }
    } else {
        free(e);
        return 0;
    }
    if (!r->method) r->method = xstrdup("GET");
    free(e);
    return 1;
}

static const char *class_of(const char *file)
{
    static const char *const map[][2] = {
        {"nosql", "nosqli"}, {"sql", "sqli"}, {"xss", "xss"}, {"rce", "rce"}, {"shell", "rce"},
        {"lfi", "path_traversal"}, {"path-traversal", "path_traversal"}, {"ldap", "ldapi"},
        {"mail", "mail"}, {"ss-include", "ssi"}, {"sst", "ssti"}, {"crlf", "crlf"}, {"xxe", "xxe"},
        {"xml", "xxe"}, {"user-agent", "scanner"}, {"texts", "false-pos"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strstr(file, map[i][0])) return map[i][1];
    return "api";
}

static void load_file(const char *dir, const char *set, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", dir, set, name);
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    /* go-yaml accepts \' in double-quoted scalars (the corpus uses it there only); libyaml does not */
    size_t cap = 1 << 16, len = 0, k;
    char *text = xmalloc(cap);
    while ((k = fread(text + len, 1, cap - len, f)) > 0)
        if ((len += k) == cap) { text = realloc(text, cap *= 2); if (!text) exit(2); }
    fclose(f);
    size_t w = 0;
    for (size_t i = 0; i < len; i++) if (!(text[i] == '\\' && i + 1 < len && text[i + 1] == '\'')) text[w++] = text[i];
    yaml_parser_t p;
    yaml_document_t doc;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, w);
    if (!yaml_parser_load(&p, &doc)) { fprintf(stderr, "%s: %s\n", path, p.problem); exit(2); }
    yaml_node_t *root = yaml_document_get_root_node(&doc), *pl = NULL, *en = NULL, *ph = NULL;
    for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < root->data.mapping.pairs.top; q++) {
        const char *k = (const char *)yaml_document_get_node(&doc, q->key)->data.scalar.value;
        yaml_node_t *v = yaml_document_get_node(&doc, q->value);
        if (strcmp(k, "payload") == 0) pl = v;
        else if (strcmp(k, "encoder") == 0) en = v;
        else if (strcmp(k, "placeholder") == 0) ph = v;
    }
    char tcase[64];
    snprintf(tcase, sizeof tcase, "%.*s", (int)(strcspn(name, ".")), name);
    for (yaml_node_item_t *a = pl->data.sequence.items.start; a < pl->data.sequence.items.top; a++)
        for (yaml_node_item_t *b = en->data.sequence.items.start; b < en->data.sequence.items.top; b++)
            for (yaml_node_item_t *c = ph->data.sequence.items.start; c < ph->data.sequence.items.top; c++) {
                yaml_node_t *pv = yaml_document_get_node(&doc, *a);
                const char *payload = (const char *)pv->data.scalar.value;
                const char *enc = (const char *)yaml_document_get_node(&doc, *b)->data.scalar.value;
                yaml_node_t *pn = yaml_document_get_node(&doc, *c), *raw = NULL;
                const char *phn;
                if (pn->type == YAML_MAPPING_NODE) {
                    phn = (const char *)yaml_document_get_node(&doc, pn->data.mapping.pairs.start->key)->data.scalar.value;
                    raw = yaml_document_get_node(&doc, pn->data.mapping.pairs.start->value);
                } else {
                    phn = (const char *)pn->data.scalar.value;
                }
                if (nreqs == capreqs) {
                    capreqs = capreqs ? capreqs * 2 : 256;
                    reqs = realloc(reqs, capreqs * sizeof *reqs);
                    if (!reqs) exit(2);
                }
                req *r = &reqs[nreqs];
                memset(r, 0, sizeof *r);
                if (!build(r, phn, enc, payload, pv->data.scalar.length, &doc, raw)) { free_req(r); continue; }
                snprintf(r->set, sizeof r->set, "%s", set);
                snprintf(r->tcase, sizeof r->tcase, "%s", tcase);
                snprintf(r->cls, sizeof r->cls, "%s", class_of(name));
                snprintf(r->enc, sizeof r->enc, "%s", enc);
                snprintf(r->ph, sizeof r->ph, "%s", phn);
                r->payload = xstrdup(payload);
                r->api = strstr(set, "api") != NULL;
                r->fp = strstr(set, "false") != NULL;
                snprintf(r->split, sizeof r->split, "train");
                snprintf(r->src, sizeof r->src, "gotestwaf/%s", set);
                nreqs++;
            }
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    free(text);
}

/* One labelled request a line, as bench/detection/corpora.py writes them. */
static void load_jsonl(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        cJSON *j = cJSON_Parse(line);
        if (!j) { fprintf(stderr, "%s: bad line\n", path); exit(2); }
        if (nreqs == capreqs) {
            capreqs = capreqs ? capreqs * 2 : 256;
            reqs = realloc(reqs, capreqs * sizeof *reqs);
            if (!reqs) exit(2);
        }
        req *r = &reqs[nreqs++];
        memset(r, 0, sizeof *r);
        const char *ct = NULL;
        cJSON *h, *v;
        cJSON_ArrayForEach(h, cJSON_GetObjectItem(j, "headers")) {
            const char *k = cJSON_GetArrayItem(h, 0)->valuestring, *val = cJSON_GetArrayItem(h, 1)->valuestring;
            if (strcasecmp(k, "Content-Type") == 0) ct = val;
            else add_header(r, k, val);
        }
        if (cJSON_IsString(v = cJSON_GetObjectItem(j, "body"))) set_body(r, ct, xstrdup(v->valuestring));
        free(r->method);
        r->method = xstrdup(cJSON_GetObjectItem(j, "method")->valuestring);
        r->path = xstrdup(cJSON_GetObjectItem(j, "path")->valuestring);
        if (cJSON_IsString(v = cJSON_GetObjectItem(j, "query"))) r->query = xstrdup(v->valuestring);
        snprintf(r->split, sizeof r->split, "%s", cJSON_GetObjectItem(j, "split")->valuestring);
        snprintf(r->src, sizeof r->src, "%s", cJSON_GetObjectItem(j, "source")->valuestring);
        snprintf(r->cls, sizeof r->cls, "%s", cJSON_GetObjectItem(j, "class")->valuestring);
        snprintf(r->set, sizeof r->set, "%s", r->split);
        snprintf(r->tcase, sizeof r->tcase, "%s", r->src);
        r->fp = strcmp(cJSON_GetObjectItem(j, "label")->valuestring, "benign") == 0;
        const char *pl = r->query ? r->query : r->body ? r->body : r->path;
        r->payload = xstrdup(pl);
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void load_corpus(const char *dir)
{
    static const char *const sets[] = {"community", "false-pos", "owasp", "owasp-api"};
    for (size_t s = 0; s < 4; s++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, sets[s]);
        DIR *d = opendir(path);
        if (!d) { perror(path); exit(2); }
        char *names[256];
        size_t n = 0;
        for (struct dirent *e; (e = readdir(d)) && n < 256; )
            if (strstr(e->d_name, ".yml") || strstr(e->d_name, ".yaml")) names[n++] = xstrdup(e->d_name);
        closedir(d);
        qsort(names, n, sizeof *names, cmpstr);
        for (size_t i = 0; i < n; i++) { load_file(dir, sets[s], names[i]); free(names[i]); }
    }
}

/* ---- engines ---- */

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run_ours(const detect_rules *R, req *r, int verbose)
{
    httpreq q = {r->method, r->path, r->query, r->h, r->nh, r->body, r->blen};
    detect_result res;
    int n = detect_analyze(R, &q, &res);
    int blocked = n > 0 && res.score >= DETECT_THRESHOLD_DEFAULT;   /* the node's default verdict */
    /* Misses are printed for training requests only: the test set's payloads stay unread. */
    if (verbose && (blocked == r->fp) && strcmp(r->split, "test") != 0) {
        printf("%s %s/%s %s %s: ", r->fp ? "FP  " : "MISS", r->set, r->tcase, r->enc, r->ph);
        for (const char *c = r->payload; *c && c - r->payload < 160; c++) putchar(*c == '\n' ? ' ' : *c);
        for (int i = 0; i < res.nhits; i++) printf(" [%s @%s]", res.hits[i].rule_id, res.hits[i].where);
        putchar('\n');
    }
    return n < 0 ? -1 : blocked;
}

static void nolog(void *a, const void *b) { (void)a; (void)b; }

static int run_crs(ModSecurity *ms, RulesSet *rs, req *r)
{
    Transaction *t = msc_new_transaction(ms, rs, NULL);
    ModSecurityIntervention it = {200, 0, NULL, NULL, 0};
    char *uri = xmalloc(strlen(r->path) + (r->query ? strlen(r->query) : 0) + 2);
    sprintf(uri, "%s%s%s", r->path, r->query ? "?" : "", r->query ? r->query : "");
    msc_process_connection(t, "192.0.2.10", 40000, "127.0.0.1", 80);
    msc_process_uri(t, uri, r->method, "1.1");
    for (size_t i = 0; i < r->nh; i++)
        msc_add_n_request_header(t, (const unsigned char *)r->h[i].name, strlen(r->h[i].name),
                                 (const unsigned char *)r->h[i].value, strlen(r->h[i].value));
    msc_process_request_headers(t);
    int hit = msc_intervention(t, &it);
    if (!hit) {
        if (r->blen) msc_append_request_body(t, (const unsigned char *)r->body, r->blen);
        msc_process_request_body(t);
        hit = msc_intervention(t, &it);
    }
    msc_process_logging(t);
    msc_transaction_cleanup(t);
    free(it.log);
    free(it.url);
    free(uri);
    if (!hit || !it.disruptive) return 0;
    return it.status == 403 ? 1 : -1;
}

/* A benign API request: 1 KB of JSON with the headers a connector forwards. */
static void benign_request(req *r)
{
    static const char body[] =
        "{\"user\":{\"id\":12345,\"name\":\"Alice Example\",\"email\":\"alice@example.com\",\"roles\":[\"admin\",\"developer\"],"
        "\"address\":{\"street\":\"12 Long Street\",\"city\":\"Berlin\",\"zip\":\"10115\",\"country\":\"DE\"}},"
        "\"order\":{\"id\":\"ord_8f7d6c5b4a\",\"created\":\"2024-05-01T12:34:56Z\",\"items\":[{\"sku\":\"A-100\",\"name\":"
        "\"Blue widget\",\"qty\":2,\"price\":19.99},{\"sku\":\"B-200\",\"name\":\"Red gadget, large\",\"qty\":1,\"price\":49.5},"
        "{\"sku\":\"C-300\",\"name\":\"Green thing\",\"qty\":5,\"price\":3.25}],\"note\":\"Please deliver after 5pm. "
        "Ring the bell twice.\",\"coupon\":\"SPRING-2024\",\"total\":105.74},\"meta\":{\"client\":\"web\",\"version\":"
        "\"3.14.1\",\"locale\":\"en-US\",\"tz\":\"Europe/Berlin\",\"ref\":\"https://shop.example.com/cart?step=2\"},"
        "\"tracking\":{\"session\":\"d41d8cd98f00b204e9800998ecf8427e\",\"campaign\":\"newsletter_may\",\"source\":"
        "\"email\",\"referrer\":\"https://www.example.org/blog/2024/05/spring-sale?utm_medium=email\"},\"flags\":{\"gift\""
        ":false,\"express\":true,\"newsletter\":true},\"comment\":\"Second order this month; the first one arrived on "
        "time and in good shape. Thanks!\"}";
    memset(r, 0, sizeof *r);
    default_headers(r);
    add_header(r, "X-Real-IP", "203.0.113.7");
    add_header(r, "X-Connector-Request-Id", "9f8e7d6c5b4a39281706f5e4d3c2b1a0");
    add_header(r, "X-Connector", "cloudflare/1.2.0");
    add_header(r, "X-Connector-Mode", "inline");
    r->path = xstrdup("/api/v1/orders");
    r->query = xstrdup("debug=false&page=2");
    set_body(r, "application/json", xstrdup(body));
}

static void free_req(req *r)
{
    free(r->method); free(r->path); free(r->query); free(r->body); free(r->payload);
    for (size_t h = 0; h < r->nh; h++) { free((char *)r->h[h].name); free((char *)r->h[h].value); }
}

/* ---- report ---- */

typedef struct tally { long blocked, passed, unres; } tally;

static void add(tally *t, int v) { if (v > 0) t->blocked++; else if (v == 0) t->passed++; else t->unres++; }
static double pct(long a, long b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static void report(int have_crs)
{
    const char *classes[64];
    size_t ncls = 0;
    for (size_t i = 0; i < nreqs; i++) {
        size_t k = 0;
        while (k < ncls && strcmp(classes[k], reqs[i].cls) != 0) k++;
        if (k == ncls && ncls < 64) classes[ncls++] = reqs[i].cls;
    }
    printf("%-16s %6s  %-22s %-22s\n", "class", "reqs", "edgenode blocked", have_crs ? "CRS PL1 blocked" : "");
    tally all[2] = {{0, 0, 0}, {0, 0, 0}}, fpt[2] = {{0, 0, 0}, {0, 0, 0}}, api[2] = {{0, 0, 0}, {0, 0, 0}};
    tally app[2] = {{0, 0, 0}, {0, 0, 0}};
    for (size_t k = 0; k < ncls; k++) {
        tally t[2] = {{0, 0, 0}, {0, 0, 0}};
        for (size_t i = 0; i < nreqs; i++)
            if (strcmp(reqs[i].cls, classes[k]) == 0) { add(&t[0], reqs[i].ours); add(&t[1], reqs[i].crs); }
        long n = t[0].blocked + t[0].passed + t[0].unres;
        printf("%-16s %6ld  %5ld %6.1f %%          ", classes[k], n, t[0].blocked, pct(t[0].blocked, t[0].blocked + t[0].passed));
        if (have_crs) printf("%5ld %6.1f %% (+%ld unres.)", t[1].blocked, pct(t[1].blocked, t[1].blocked + t[1].passed), t[1].unres);
        putchar('\n');
    }
    for (size_t i = 0; i < nreqs; i++) {
        req *r = &reqs[i];
        for (int e = 0; e < 2; e++) {
            int v = e ? r->crs : r->ours;
            if (r->fp) add(&fpt[e], v);
            else { add(&all[e], v); add(r->api ? &api[e] : &app[e], v); }
        }
    }
    for (int e = 0; e < (have_crs ? 2 : 1); e++) {
        double tp = pct(app[e].blocked, app[e].blocked + app[e].passed);
        double tn = pct(fpt[e].passed, fpt[e].blocked + fpt[e].passed);
        double apisec = pct(api[e].blocked, api[e].blocked + api[e].passed), appsec = (tp + tn) / 2;
        printf("%s: attacks blocked %ld/%ld = %.1f %% (unresolved %ld); false-pos blocked %ld/%ld = %.1f %%\n",
               e ? "CRS PL1 " : "edgenode", all[e].blocked, all[e].blocked + all[e].passed,
               pct(all[e].blocked, all[e].blocked + all[e].passed), all[e].unres + fpt[e].unres,
               fpt[e].blocked, fpt[e].blocked + fpt[e].passed, pct(fpt[e].blocked, fpt[e].blocked + fpt[e].passed));
        printf("%s: gotestwaf score ApiSec %.2f, AppSec %.2f (TP %.2f, TN %.2f), overall %.2f\n",
               e ? "CRS PL1 " : "edgenode", apisec, appsec, tp, tn, (apisec + appsec) / 2);
    }
}

/* Per split: attack requests blocked per class, benign requests blocked per source. */
static void report_splits(int have_crs)
{
    static const char *const splits[] = {"train", "test"};
    for (int sp = 0; sp < 2; sp++) {
        const char *names[128];
        size_t nn = 0;
        printf("\n-- %s set --\n%-34s %6s  %-18s %s\n", splits[sp] == splits[0] ? "training" : "held-out test",
               "attacks, by class", "reqs", "edgenode blocked", have_crs ? "CRS PL1 blocked" : "");
        for (int pass = 0; pass < 2; pass++) {
            nn = 0;
            for (size_t i = 0; i < nreqs; i++) {
                if (strcmp(reqs[i].split, splits[sp]) != 0 || reqs[i].fp != pass) continue;
                const char *key = pass ? reqs[i].src : reqs[i].cls;
                size_t k = 0;
                while (k < nn && strcmp(names[k], key) != 0) k++;
                if (k == nn && nn < 128) names[nn++] = key;
            }
            if (pass) printf("%-34s %6s  %-18s %s\n", "benign, by source", "reqs", "edgenode blocked", have_crs ? "CRS PL1 blocked" : "");
            tally tot[2] = {{0, 0, 0}, {0, 0, 0}};
            for (size_t k = 0; k < nn; k++) {
                tally t[2] = {{0, 0, 0}, {0, 0, 0}};
                for (size_t i = 0; i < nreqs; i++) {
                    if (strcmp(reqs[i].split, splits[sp]) != 0 || reqs[i].fp != pass) continue;
                    if (strcmp(pass ? reqs[i].src : reqs[i].cls, names[k]) != 0) continue;
                    add(&t[0], reqs[i].ours); add(&t[1], reqs[i].crs);
                    add(&tot[0], reqs[i].ours); add(&tot[1], reqs[i].crs);
                }
                printf("%-34s %6ld  %6ld %6.1f %%   ", names[k], t[0].blocked + t[0].passed + t[0].unres, t[0].blocked,
                       pct(t[0].blocked, t[0].blocked + t[0].passed));
                if (have_crs) printf("%6ld %6.1f %%", t[1].blocked, pct(t[1].blocked, t[1].blocked + t[1].passed));
                putchar('\n');
            }
            printf("%-34s %6ld  %6ld %6.1f %%   ", pass ? "ALL BENIGN" : "ALL ATTACKS", tot[0].blocked + tot[0].passed + tot[0].unres,
                   tot[0].blocked, pct(tot[0].blocked, tot[0].blocked + tot[0].passed));
            if (have_crs) printf("%6ld %6.1f %% (%ld unresolved)", tot[1].blocked, pct(tot[1].blocked, tot[1].blocked + tot[1].passed), tot[1].unres);
            putchar('\n');
        }
    }
}

int main(int argc, char **argv)
{
    const char *corpus = NULL, *rules = NULL, *crsconf = NULL;
    int verbose = 0, rounds = 3;
    const char *jsonl[4];
    int njsonl = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--corpus") == 0 && i + 1 < argc) corpus = argv[++i];
        else if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) rules = argv[++i];
        else if (strcmp(argv[i], "--crs") == 0 && i + 1 < argc) crsconf = argv[++i];
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--jsonl") == 0 && i + 1 < argc && njsonl < 4) jsonl[njsonl++] = argv[++i];
        else if (strcmp(argv[i], "--verbose") == 0) verbose = 1;
        else { fprintf(stderr, "usage: %s [--corpus DIR] [--jsonl FILE]... --rules FILE [--crs CONF] [--rounds N] [--verbose]\n", argv[0]); return 2; }
    }
    if ((!corpus && !njsonl) || !rules) { fprintf(stderr, "replay: --rules and --corpus or --jsonl are required\n"); return 2; }
    char err[4096];
    detect_rules *R = detect_rules_load(rules, err, sizeof err);
    if (!R) { fprintf(stderr, "%s\n", err); return 1; }
    if (corpus) {
        load_corpus(corpus);
        printf("gotestwaf corpus: %zu requests (GraphQL and gRPC need endpoints and are skipped, as gotestwaf does)\n", nreqs);
    }
    size_t ngw = nreqs;
    for (int k = 0; k < njsonl; k++) load_jsonl(jsonl[k]);
    if (njsonl) printf("labelled lists: %zu requests\n", nreqs - ngw);
    for (size_t i = 0; i < nreqs; i++) reqs[i].ours = run_ours(R, &reqs[i], verbose);
    double t0 = cpu_now();
    for (int k = 0; k < rounds; k++)
        for (size_t i = 0; i < nreqs; i++) run_ours(R, &reqs[i], 0);
    double ours_rate = (double)nreqs * rounds / (cpu_now() - t0);
    double crs_rate = 0;
    ModSecurity *ms = NULL;
    RulesSet *rs = NULL;
    if (crsconf) {
        const char *e = NULL;
        ms = msc_init();
        msc_set_connector_info(ms, "edgenode-bench");
        msc_set_log_cb(ms, nolog);
        rs = msc_create_rules_set();
        if (msc_rules_add_file(rs, crsconf, &e) < 0) { fprintf(stderr, "CRS: %s\n", e ? e : "cannot load"); return 1; }
        t0 = cpu_now();
        for (size_t i = 0; i < nreqs; i++) reqs[i].crs = run_crs(ms, rs, &reqs[i]);
        crs_rate = (double)nreqs / (cpu_now() - t0);
    }
    if (njsonl) report_splits(crsconf != NULL);
    else report(crsconf != NULL);
    if (rounds > 0) {
        printf("speed (CPU time, whole corpus, one thread): edgenode %.0f req/s", ours_rate);
        if (crsconf) printf(", CRS PL1 %.0f req/s, ratio %.1fx", crs_rate, ours_rate / crs_rate);
        putchar('\n');
    }
    req b;
    benign_request(&b);
    int n = 20000;
    t0 = cpu_now();
    for (int k = 0; k < n; k++) if (run_ours(R, &b, 0) != 0) { fprintf(stderr, "benign request flagged\n"); return 1; }
    double ours_b = n / (cpu_now() - t0);
    printf("benign %zu-byte JSON request, one thread (CPU time): edgenode %.0f req/s (%.1f us)", b.blen, ours_b, 1e6 / ours_b);
    if (crsconf) {
        int m = 1000;
        t0 = cpu_now();
        for (int k = 0; k < m; k++) run_crs(ms, rs, &b);
        double crs_b = m / (cpu_now() - t0);
        printf(", CRS PL1 %.0f req/s (%.0f us), ratio %.1fx", crs_b, 1e6 / crs_b, ours_b / crs_b);
    }
    putchar('\n');
    free_req(&b);
    if (rs) msc_rules_cleanup(rs);
    if (ms) msc_cleanup(ms);
    for (size_t i = 0; i < nreqs; i++) free_req(&reqs[i]);
    free(reqs);
    detect_rules_free(R);
    return 0;
}
