/* lang.c -- names and file extensions of the output languages.
 * The table is the one place that maps extensions to languages. */
#include "lang.h"
#include <string.h>
#include <strings.h>

static const char *const names[LANG_COUNT] = {
    "spec", "text", "js", "python", "lua", "xml", "yaml", "json", "toml", "rust"
};

static const struct { const char *ext; tmpl_lang lang; } exts[] = {
    {"js", LANG_JS}, {"mjs", LANG_JS}, {"cjs", LANG_JS}, {"ts", LANG_JS},
    {"py", LANG_PYTHON}, {"lua", LANG_LUA}, {"rockspec", LANG_LUA},
    {"xml", LANG_XML}, {"xsd", LANG_XML}, {"wsdl", LANG_XML},
    {"yaml", LANG_YAML}, {"yml", LANG_YAML}, {"json", LANG_JSON},
    {"toml", LANG_TOML}, {"rs", LANG_RUST},
    {"txt", LANG_TEXT}, {"md", LANG_TEXT}, {"html", LANG_SPEC}, {"mustache", LANG_SPEC},
};

const char *lang_name(tmpl_lang lang)
{
    return (unsigned)lang < LANG_COUNT ? names[lang] : "?";
}

int lang_from_name(const char *name, tmpl_lang *out)
{
    for (int i = 0; i < LANG_COUNT; i++)
        if (strcasecmp(name, names[i]) == 0) { *out = (tmpl_lang)i; return 0; }
    if (strcasecmp(name, "javascript") == 0) { *out = LANG_JS; return 0; }
    if (strcasecmp(name, "plain") == 0) { *out = LANG_TEXT; return 0; }
    return -1;
}

int lang_from_path(const char *path, tmpl_lang *out)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    static const char suffix[] = ".mustache";
    size_t sl = sizeof suffix - 1;
    if (n > sl && strcmp(base + n - sl, suffix) == 0) n -= sl;  /* name.js.mustache -> name.js */
    for (size_t i = n; i-- > 0;) {
        if (base[i] != '.') continue;
        const char *ext = base + i + 1;
        size_t el = n - i - 1;
        for (size_t k = 0; k < sizeof exts / sizeof exts[0]; k++)
            if (strlen(exts[k].ext) == el && strncasecmp(ext, exts[k].ext, el) == 0) {
                *out = exts[k].lang;
                return 0;
            }
        return -1;
    }
    if (strcmp(base, "Makefile") == 0 || strcmp(base, "Dockerfile") == 0) { *out = LANG_TEXT; return 0; }
    return -1;
}

int lang_is_code(tmpl_lang lang)
{
    return lang >= LANG_JS && lang < LANG_COUNT;
}

const char *lang_names(void)
{
    return "spec, text, js, python, lua, xml, yaml, json, toml, rust";
}
