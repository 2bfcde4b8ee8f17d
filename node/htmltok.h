/* htmltok.h -- reads a value as HTML the way a browser's tokenizer would (tags, attributes, comments,
 * entities) and says whether it would execute script: XSS by what runs, not by what it looks like. */
#ifndef HTMLTOK_H
#define HTMLTOK_H
#include <stddef.h>

/* The readings: as is from the data state (text between tags); as if the value sat inside a
 * quoted attribute value that its first '"' or '\'' closes (the tag's attribute list is then read
 * from just after that quote up to the first '>'); as if it sat inside a script's string that
 * its first '"' or '\'' closes. */
enum { HTMLTOK_DATA, HTMLTOK_DQUOTE, HTMLTOK_SQUOTE, HTMLTOK_JS_DQUOTE, HTMLTOK_JS_SQUOTE, HTMLTOK_READINGS };

typedef struct htmltok_info {
    int reading;            /* HTMLTOK_* of the finding, or -1 */
    const char *reason;     /* what would execute (static text), or "" */
    char tag[16];           /* the tag's name (lower case, cut), "" in an attribute reading */
    char attr[24];          /* the attribute's name (lower case, cut), or "" */
} htmltok_info;

/* Reads in[0..n) and returns 1 when it would execute script in a page, for one of:
 *   - a start tag of an element that runs or loads active content: script (but not one whose src
 *     is one server-side template tag without "//" or a backslash, as page templates load their
 *     own scripts: <script src="{% static 'x.js' %}">; with a src its body never runs, and the
 *     body is read on as markup); object, embed or applet
 *     with something to load; base with href; meta refresh or set-cookie; link rel=import;
 *     iframe/frame with srcdoc; any element with formaction;
 *   - an event handler attribute (on + at least three letters) with a non-empty value; in an
 *     attribute reading the name must be a known event or the value read as script (a call, an
 *     assignment, a template literal);
 *   - a URL attribute (href src action data xlink:href poster background lowsrc dynsrc code
 *     codebase to from values formaction) whose value, after character references are decoded, the
 *     leading/trailing spaces and controls and every tab and newline are stripped, has the scheme
 *     javascript:, vbscript:, livescript: or data: with an HTML, SVG or script type;
 *   - a style attribute with expression(, url(javascript:, -moz-binding or behavior: (CSS comments,
 *     escapes' backslashes and spaces ignored);
 *   - old IE's active markup: <?import ... implementation=...> (an HTML component) and
 *     dataformatas=html (data binding that renders data as markup).
 * Tokenizing follows browsers: tag and attribute names are case-insensitive and end at space, '/'
 * or '>'; a NUL in a name makes it another name; '/' separates attributes; "<!--" comments end at
 * "-->", "--!>" or at once for "<!-->"; "<!", "<?" and "</" + non-letter start bogus comments that
 * end at '>'; end tags' attributes are ignored. A tag cut by the end of the value counts (the page
 * around an injection completes it). A tag that cannot execute (<b>, <a href=https://x>, <img src=x>)
 * passes. The work is linear in n (each reading is one pass). Thread-safe, no allocation; info
 * may be NULL. */
int htmltok_detect(const char *in, size_t n, htmltok_info *info);

/* The JS-string readings alone (HTMLTOK_JS_*): a hit is the string closed by the value's first
 * quote, an operator or ';' (after any ')' ']' '}'), then an assignment (');top.location='..)
 * or a call of a name or member chain (a(..), a.b['c'](..), a`..`) followed by the end or what
 * continues an expression: x';alert(1)//,
 * "-confirm`1`-", '+top['al'+'ert'](1)+'. Code quoted in prose has the same shape ("-Foo(x)"),
 * so this is a weaker signal than htmltok_detect's. Linear in n; thread-safe; info may be NULL. */
int htmltok_js_breakout(const char *in, size_t n, htmltok_info *info);

#endif
