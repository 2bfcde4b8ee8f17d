/* pathnorm.c -- undoes the encodings traversal payloads hide behind (nested percent, %u, overlong
 * UTF-8, look-alike slashes), then reads the path segment by segment. */
#include <string.h>
#include "pathnorm.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A digit as decoders that do not check it read it: letters past f go on counting (g = 16). */
static int lenient_hex(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return -1;
}

static int is_pathchar(unsigned c) { return c == '.' || c == '/' || c == '\\'; }

/* ASCII look-alikes of code points attackers use for '.', '/' and '\'; -1 for any other. */
static int lookalike(unsigned cp)
{
    if (cp < 0x80) return (int)cp;
    /* the full-width forms of ASCII (U+FF01..U+FF5E, NFKC and Windows' best fit map them back) */
    if (cp >= 0xFF01 && cp <= 0xFF5E) return (int)(cp - 0xFEE0);
    switch (cp) {
    case 0x2215: case 0x2044: case 0xEFC8: return '/';   /* EFC8, F025: IIS best fit */
    case 0x2216: case 0xFE68: case 0xF025: return '\\';
    case 0x2024: case 0xFE52: return '.';   /* one-dot leader, small full stop */
    default: return -1;
    }
}

/* Whether cp is a two-dot leader (U+2025, its vertical form U+FE30): NFKC makes ".." of it. */
static int two_dot_leader(unsigned cp) { return cp == 0x2025 || cp == 0xFE30; }

/* One round of %XX / %uXXXX decoding; returns the new length. */
static size_t percent_round(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '0' && i + 3 < n && (in[i + 1] | 32) == 'x' &&
            ((in[i + 2] == '2' && ((in[i + 3] | 32) == 'e' || (in[i + 3] | 32) == 'f')) || (in[i + 2] == '5' && (in[i + 3] | 32) == 'c'))) {
            /* 0x2e0x2e0x2f, 0x5c: hex written out */
            out[o++] = (in[i + 3] | 32) == 'e' ? '.' : (in[i + 3] | 32) == 'f' ? '/' : '\\';
            i += 3;
            continue;
        }
        if (in[i] == '%' && i + 2 < n && hexval((unsigned char)in[i + 1]) >= 0 && hexval((unsigned char)in[i + 2]) >= 0) {
            out[o++] = (char)(hexval((unsigned char)in[i + 1]) * 16 + hexval((unsigned char)in[i + 2]));
            i += 2;
        } else if (in[i] == '%' && i + 2 < n && in[i + 1] != 'u' && in[i + 1] != 'U' &&
                   lenient_hex((unsigned char)in[i + 1]) >= 0 && lenient_hex((unsigned char)in[i + 2]) >= 0 &&
                   ((lenient_hex((unsigned char)in[i + 1]) * 16 + lenient_hex((unsigned char)in[i + 2])) & 0xFF) >= 0x80) {
            /* %c0%qf, %bg%qf: old decoders read any letter as a digit past f; only a byte of a
             * multi-byte sequence is taken that way, never ASCII, so "50%off" stays as it was */
            out[o++] = (char)((lenient_hex((unsigned char)in[i + 1]) * 16 + lenient_hex((unsigned char)in[i + 2])) & 0xFF);
            i += 2;
        } else if (in[i] == '%' && i + 5 < n && (in[i + 1] == 'u' || in[i + 1] == 'U')) {
            unsigned cp = 0;
            int ok = 1;
            for (int k = 2; k < 6; k++) {
                int h = hexval((unsigned char)in[i + k]);
                if (h < 0) { ok = 0; break; }
                cp = cp * 16 + (unsigned)h;
            }
            int c = ok ? lookalike(cp) : -1;
            if (ok && two_dot_leader(cp)) { out[o++] = '.'; out[o++] = '.'; i += 5; }
            else if (c >= 0) { out[o++] = (char)c; i += 5; }
            else out[o++] = in[i];
        } else {
            out[o++] = in[i];
        }
    }
    return o;
}

/* One round of folding multi-byte forms of ASCII: overlong and lossy two- and three-byte
 * sequences (decoders that ignore the continuation bits map C1 1C to '\'), and the look-alikes. */
static size_t utf8_round(const char *in, size_t n, char *out)
{
    const unsigned char *u = (const unsigned char *)in;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if ((u[i] == 0xC0 || u[i] == 0xC1) && i + 1 < n) {
            /* the strict reading (C0 AE, C1 1C), else what lossy decoders make of it: the lead
             * byte dropped before ASCII (C0 5C), only the low six bits kept (C1 AF), or the second
             * byte written as two hex digits without its % (%c0ae) */
            unsigned cp = ((unsigned)(u[i] & 0x1F) << 6) | (u[i + 1] & 0x3Fu);
            if (u[i + 1] >= 0x80 || is_pathchar(cp)) {
                if (!is_pathchar(cp) && is_pathchar(u[i + 1] & 0x3Fu)) cp = u[i + 1] & 0x3Fu;
                if (cp < 0x80 && cp) { out[o++] = (char)cp; i++; continue; }
            } else if (is_pathchar(u[i + 1])) {
                out[o++] = (char)u[i + 1];
                i++;
                continue;
            } else if (i + 2 < n && hexval(u[i + 1]) >= 0 && hexval(u[i + 2]) >= 0) {
                unsigned b = (unsigned)(hexval(u[i + 1]) * 16 + hexval(u[i + 2]));
                unsigned c2 = ((unsigned)(u[i] & 0x1F) << 6) | (b & 0x3Fu);
                if (!is_pathchar(c2)) c2 = b & 0x3Fu;
                if (is_pathchar(c2)) { out[o++] = (char)c2; i += 2; continue; }
            }
        } else if (u[i] == 0xE0 && i + 2 < n && (u[i + 2] & 0xC0) == 0x80) {
            /* a bad middle byte (E0 40 AE) is read by its low bits, as lossy decoders do */
            unsigned cp = ((unsigned)(u[i + 1] & 0x3F) << 6) | (u[i + 2] & 0x3Fu);
            if (cp < 0x80 && cp && ((u[i + 1] & 0xC0) == 0x80 || is_pathchar(cp))) { out[o++] = (char)cp; i += 2; continue; }
        } else if (u[i] >= 0xF0 && u[i] <= 0xFD) {
            /* four- to six-byte overlong forms of ASCII: every continuation byte well formed and
             * the code point they spell below 0x80 (F0 80 80 AE, F0 80 81 9C) */
            size_t k = u[i] < 0xF8 ? 3 : u[i] < 0xFC ? 4 : 5, m = 1;
            unsigned cp = u[i] & (0x3Fu >> k);
            while (m <= k && i + m < n && (u[i + m] & 0xC0) == 0x80 && cp < 0x80) cp = (cp << 6) | (u[i + m++] & 0x3Fu);
            if (m == k + 1 && cp && cp < 0x80) { out[o++] = (char)cp; i += k; continue; }
        } else if ((u[i] & 0xF0) == 0xE0 && i + 2 < n && (u[i + 1] & 0xC0) == 0x80 && (u[i + 2] & 0xC0) == 0x80) {
            unsigned cp = ((unsigned)(u[i] & 0x0F) << 12) | ((unsigned)(u[i + 1] & 0x3F) << 6) | (u[i + 2] & 0x3Fu);
            int c = lookalike(cp);
            if (two_dot_leader(cp)) { out[o++] = '.'; out[o++] = '.'; i += 2; continue; }
            if (c >= 0) { out[o++] = (char)c; i += 2; continue; }
        }
        out[o++] = in[i];
    }
    return o;
}

size_t pathnorm_normalize(const char *in, size_t n, char *out)
{
    /* The rounds ping-pong between out and the tail of the same buffer would need room for two
     * copies; instead each round decodes in place, which is safe because output never outruns
     * input (every step writes at most as many bytes as it reads). */
    memmove(out, in, n);
    size_t len = n;
    for (int round = 0; round < 8; round++) {
        size_t a = percent_round(out, len, out);
        size_t b = utf8_round(out, a, out);
        if (b == len && a == len) break;
        len = b;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = out[i] == '\\' ? '/' : out[i];
        if (c == '/' && o > 0 && out[o - 1] == '/') continue;
        out[o++] = c;
    }
    out[o] = '\0';
    return o;
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Whether s[0..n) starts with one of names, letters compared in lower case. */
static int starts_with_any(const char *s, size_t n, const char *const *names, size_t count)
{
    if (n == 0) return 0;
    int first = lower((unsigned char)s[0]);
    for (size_t k = 0; k < count; k++) {
        if (names[k][0] != first) continue;    /* most names differ at once: no strlen for them */
        size_t m = strlen(names[k]), i = 0;
        if (m > n) continue;
        while (i < m && lower((unsigned char)s[i]) == names[k][i]) i++;
        if (i == m) return 1;
    }
    return 0;
}

/* Something worth a traversal, named right after a parent step: a system directory or a
 * configuration, credential or log file. */
static const char *const after_parent_names[] = {
    "etc/", "proc/", "windows/", "winnt/", "boot.ini", "win.ini", "system.ini", "system32",
    "web-inf/", "web.config", ".htaccess", ".htpasswd", ".ssh/", "id_rsa", ".bash_history",
    "inetpub/", "usr/", "var/", "root/", "bin/", "boot/", "home/", "opt/", "tmp/", "dev/",
    "sys/", "library/", "volumes/", "users/", "documents and settings/", "program files",
    ".env", ".git/", "wp-config", "config.php", "php.ini", "my.cnf", "httpd.conf", "passwd",
    "shadow", "hosts", "global.asa",
    /* web applications' configuration by the layouts of their frameworks, and version control */
    "meta-inf/", ".svn/", ".hg/", ".aws/", "app/etc/", "application/config/", "config/database.",
    "config/secrets.", "configuration.php", "settings.py", "local_settings.py", "sites/default/",
    "appsettings", "localsettings.php", "programdata/", "xampp/", "autoexec.bat",
    /* more of the system's own directories and files, and the shell and tool files of a home */
    "sbin/", "srv/", "mnt/", "config.sys", "pagefile.sys", "ntuser.dat", ".bashrc", ".profile",
    ".mysql_history", ".npmrc", ".docker/", ".kube/",
};

/* What an absolute path or file: URL reads to prove a traversal worked. User folders are not
 * here: browsers send "C:\Users\...\report.docx" as an upload's file name. */
static const char *const proof_names[] = {
    "etc/passwd", "etc/shadow", "etc/group", "etc/hosts", "etc/issue", "proc/self/", "boot.ini",
    "windows/", "winnt/", "inetpub/", "system32/", "autoexec.bat", "config.sys", "pagefile.sys",
    "xampp/",
};

/* Directories an absolute path is read as a traversal into when it names anything inside them:
 * the system's configuration, its processes and its logs ("/etc" alone is a word, "/etc/motd" a
 * file). */
static const char *const system_dirs[] = {
    "etc/", "private/etc/", "proc/", "var/log/", "usr/local/etc/",
};

/* The length of the name of system_dirs that s[0..n) starts with when a name follows it, else 0. */
static size_t system_dir(const char *s, size_t n)
{
    for (size_t k = 0; k < sizeof system_dirs / sizeof *system_dirs; k++) {
        size_t m = strlen(system_dirs[k]);
        if (m < n && starts_with_any(s, n, system_dirs + k, 1) && s[m] != '/' && s[m] != '\0') return m;
    }
    return 0;
}

/* Whether the segment s[0..n) is a parent step: two or more dots, then only dots, spaces, NUL or a
 * stray '%' left by a broken double encoding, up to a ';' that starts a path parameter (Tomcat and
 * Jetty drop ";anything" from a segment before resolving it). */
static int parent_step(const char *s, size_t n)
{
    size_t dots = 0;
    while (dots < n && s[dots] == '.') dots++;
    if (dots < 2) return 0;
    for (size_t i = dots; i < n && s[i] != ';'; i++)
        if (s[i] != ' ' && s[i] != '\0' && s[i] != '.' && s[i] != '%') return 0;
    return 1;
}

/* Whether the segment s[0..n) is a parent step of exactly two dots: three or more are an ellipsis
 * in prose ("東京／．．．／大阪"), which only the climb of two steps reads as a step. */
static int two_dot_step(const char *s, size_t n)
{
    return parent_step(s, n) && (n == 2 || s[2] != '.');
}

/* Whether in[0..n) holds anything a traversal is written with: a separator, a percent, a colon, a
 * non-ASCII byte, ".." or "0x". Most values hold none, and are done with in one pass. */
static int may_traverse(const char *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '/' || c == '\\' || c == '%' || c == ':' || c >= 0x80) return 1;
        if (i + 1 < n && ((c == '.' && in[i + 1] == '.') || (c == '0' && (in[i + 1] | 32) == 'x'))) return 1;
    }
    return 0;
}

/* The two-dot parent steps of in[0..n) as it is written, split at '/', '\\' and ':' (file:../.., C:..\\)
 * with nothing decoded. */
static int raw_parents(const char *in, size_t n)
{
    int parents = 0;
    for (size_t i = 0; i <= n; ) {
        size_t j = i;
        while (j < n && in[j] != '/' && in[j] != '\\' && in[j] != ':') j++;
        parents += two_dot_step(in + i, j - i);
        i = j + 1;
    }
    return parents;
}

int pathnorm_traversal(const char *in, size_t n, char *scratch, pathnorm_info *info)
{
    if (!may_traverse(in, n)) {
        if (info) *info = (pathnorm_info){0, 0, 0};
        return 0;
    }
    size_t len = pathnorm_normalize(in, n, scratch);
    const char *s = scratch;
    pathnorm_info I = {0, 0, 0};
    size_t start = 0;
    if (len >= 5 && lower(s[0]) == 'f' && lower(s[1]) == 'i' && lower(s[2]) == 'l' && lower(s[3]) == 'e' && s[4] == ':') {
        I.absolute = 1;
        start = 5;
    } else if (len >= 2 && s[1] == ':' && ((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z')) {
        I.absolute = 1;
        start = 2;
    } else if (len >= 1 && s[0] == '/') {
        I.absolute = 1;
    }
    int file_url = start == 5;
    if (start < len && s[start] == '/') start++;
    int after_parent = 0, at_root = I.absolute;
    int secret = 0, trailing = 0;   /* trailing: parent steps after the last named segment */
    int two_dot = 0;                /* parent steps of exactly two dots */
    /* A system directory named plainly is a setting (a volume's mountPath "/etc/ssl/certs", a log
     * file "/var/log/app.log", a CA bundle); spelt so that decoding changes it, it is hidden. */
    int decoded = len != n || memcmp(s, in, n) != 0;
    for (size_t i = start; i <= len; ) {
        size_t j = i;
        while (j < len && s[j] != '/') j++;
        if (j - i == 1 && s[i] == '.') {
            /* "." is the directory itself: it neither names a target nor ends a climb */
        } else if (parent_step(s + i, j - i)) {
            I.parents++;
            two_dot += two_dot_step(s + i, j - i);
            trailing++;
            after_parent = 1;
        } else if (j - i == 2 && s[i + 1] == ':' && ((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z')) {
            at_root = 1;                       /* a drive letter inside the value: C:/inetpub/... */
        } else if (file_url && at_root && !I.parents && j - i == 9 && starts_with_any(s + i, 9, (const char *const[]){"localhost"}, 1)) {
            /* file://localhost/etc/passwd: the host of a file: URL, the path follows it */
        } else if (j > i) {
            /* Only the first named segment after a parent step or a root is read as a target,
             * so "docs/etc/notes" stays harmless. */
            if (after_parent && starts_with_any(s + i, len - i, after_parent_names, sizeof after_parent_names / sizeof *after_parent_names))
                I.target = 1;
            if (at_root && (starts_with_any(s + i, len - i, proof_names, sizeof proof_names / sizeof *proof_names) ||
                            (decoded && system_dir(s + i, len - i))))
                I.target = secret = 1;
            after_parent = at_root = 0;
            trailing = 0;
        }
        i = j + 1;
    }
    if (info) *info = I;
    /* "file:../.." (npm's local dependency) climbs but names nothing: three steps are needed then */
    int climbs = I.parents >= 2 && (trailing < I.parents || I.parents >= 3);
    /* A parent step that only decoding shows (..%252f, %c0%ae%c0%ae/, %uff0e%uff0e/, ..%00/) is
     * hidden from the filters that look for "../": nobody spells a link that way, so one is enough. */
    int hidden = I.parents >= 1 && !climbs && raw_parents(in, n) < two_dot;
    return climbs || (I.parents == 1 && I.target) || secret || hidden;
}
