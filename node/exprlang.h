/* exprlang.h -- reads a value as Java expression languages (OGNL, SpEL, Jakarta EL) and as Log4j
 * lookups, and says whether it reaches the runtime or makes a JNDI lookup. */
#ifndef EXPRLANG_H
#define EXPRLANG_H
#include <stddef.h>
#include <stdint.h>

/* What the reading found. */
typedef struct exprlang_info {
    char kind[16];      /* the finding: "jndi", "spel-type", "ognl-static", "ognl-context",
                         * "el-new", "el-reflect", or "" */
    int lookups;        /* Log4j lookups ${...} resolved */
    int prose;          /* exprlang_java_code: the value also holds prose (above) */
} exprlang_info;

/* exprlang_jndi: a JNDI lookup, after the value's Log4j lookups resolved as Log4j does, innermost first (lower: and upper:
 *    give their argument, with the dotless i and the long s that upper-case to I and S; date:
 *    gives its quoted literals; a lookup with a default, ${anything:-x}, gives x; any other
 *    gives nothing), and the result holds a ${jndi:...} lookup or a JNDI name with a scheme
 *    (jndi:ldap:, jndi:rmi: ...). So ${${::-j}${lower:N}di:${upper:l}dap://h/a} is one. Input is
 * the decoded value (percent and \u escapes are undone by the decoder). scratch: room for n + 1
 * bytes, working space. Returns 1 on a hit, with info->kind "jndi". */
int exprlang_jndi(const char *in, size_t n, char *scratch, exprlang_info *info);

/* exprlang_detect: Java reached from an expression language. A hit is any of:
 *  - spel-type: a SpEL type reference T(pkg.Class), or T(Class) of the java.lang classes that
 *    run code (Runtime, ProcessBuilder, System, Class, Thread, ClassLoader, Character).
 *  - ognl-static: an OGNL static reference @pkg.Class@member.
 *  - ognl-context: OGNL's context objects reached: #_memberAccess, #context, #request, #session,
 *    #application, #parameters or #attr indexed by a string or called (#context['x'], #attr.get(...)).
 *  - el-new, el-reflect: inside an expression (${ }, #{ }, %{ }, *{ }, @{ }, ~{ }, {{ }}, <% %>,
 *    OGNL's (# ), or JSP's elements of code <jsp:scriptlet>, <jsp:expression>,
 *    <jsp:declaration> up to their end tag), a constructor of a qualified class (new java.lang.ProcessBuilder(...)), a
 *    class that runs code named (Runtime, ProcessBuilder, ScriptEngineManager...), or a call of the
 *    reflection and execution API (forName, getMethod, newInstance, invoke, getRuntime, .exec...).
 * A Java stack trace (at java.lang.Runtime.exec(Runtime.java:620)) has none of these, nor has
 * ${HOME} or a ${name} placeholder. Returns 1 on a hit, with info->kind naming it.
 * Both are thread-safe, allocate nothing and read each byte a bounded number of times; info may
 * be NULL. */
int exprlang_detect(const char *in, size_t n, exprlang_info *info);

/* exprlang_base64_java: a Java class that only exploits send, carried in base64 (a serialized
 * object, a Jackson or XStream document, an OGNL string sent encoded). The value must be one
 * base64 token (standard or URL-safe, both cases; blanks around it and '=' padding allowed: the
 * decoder has already cut parameters, JSON members, cookies and XML text into values). It is
 * decoded from each of its first four characters, so a name is found at any byte offset of the
 * encoded text, also in a piece cut out of a longer encoding, and the decoded bytes are searched
 * for gadget-chain classes (InvokerTransformer, InstantiateFactory, ForClosure, TemplatesImpl,
 * JdbcRowSetImpl, ...InvocationHandler...), ProcessBuilder, or java.lang.Runtime qualified
 * (kind "base64-class"); Runtime alone is not enough (an ordinary word). A token of 5 or more
 * holding the serialization stream header AC ED 00 05 as base64 at any of the three byte offsets
 * (rO0AB, [Kaq6]ztAA[UVWX], s7QAF) is one too (kind "base64-object"). A token that decodes from
 * its start to a gzip stream (H4sI...) or a zlib stream (78 xx) is inflated, at most its first
 * 8 KiB: a serialization header at the start (kind "base64-gzip-obj") or a gadget-chain class in
 * them ("base64-gzip-cls") is a hit, which is how GZIPOutputStream around ObjectOutputStream
 * (JSF's client-side view state, compressed payloads) carries an object. scratch: room for n + 1
 * bytes. Returns 1 on a hit. Thread-safe; allocates nothing itself, but zlib allocates its inflate
 * state (about 40 KB, freed before the return) for a token that opens a compressed stream. */
int exprlang_base64_java(const char *in, size_t n, char *scratch, exprlang_info *info);
/* Whether a value holding these bytes (bit c % 64 of bytes[c / 64], as they are, not lowered) may
 * be one for exprlang_base64_java: its bytes are the alphabet, blanks and '=' only, and it has both
 * cases. When not, exprlang_base64_java answers 0 for it, so a caller holding the set skips it. */
int exprlang_base64_java_bytes(const uint64_t bytes[4]);

/* exprlang_java_type_name: the value is a qualified name of a Java type, as a polymorphic
 * deserialiser reads one under its type key (decode.h's DECODE_TYPEKEY): identifiers joined by
 * dots (pkg.Class, com.x.Outer$Inner), fastjson's [Lpkg.Class; descriptor (and LLpkg.Class;;,
 * which it unwraps again), Jackson's canonical name with type parameters
 * (java.util.ArrayList<pkg.Class>), blanks around it. Jackson's minimal .Class is not one (it resolves
 * under the base type's package, and a CSS class .btn has that shape). A host name (example.com, ending in com, org, net, html or htm)
 * or a version (v1.2) is not one (kind "type-name"). Returns 1 on a hit. Thread-safe, allocates
 * nothing. */
int exprlang_java_type_name(const char *in, size_t n, exprlang_info *info);

/* exprlang_java_code: Java code outside an expression: a constructor of a qualified class (new
 * pkg.Class( , kind "code-new") or a call of a qualified class's member (pkg.Class.member( ,
 * "code-call"), as a script console, a Groovy, BeanShell or Nashorn evaluator or a code field
 * takes it. A stack frame (at pkg.Class.member(Class.java:12), (Native Method), (Unknown Source),
 * (Compiled Code)) is not one, nor is a name without a call (java.lang.Runtime), an unqualified
 * call (Class.forName( ), a method named in prose with empty parentheses not continued as code
 * (see java.beans.Beans.instantiate().), or a package name followed by a call (see pkg.util(x)).
 * Developers quote such code in bug reports too, so it is a signal to weigh, not a verdict; on a
 * hit info->prose tells whether the code's statement also holds prose, three plain words in a row
 * outside string literals (When I call new ..., ... returns null inside), a statement ending at
 * a ; a newline a brace or a comment (words there are no sentence around the code), where a script console's value
 * is code throughout (def o = new ...; o.write(b)). Returns 1 on a hit. Thread-safe, allocates
 * nothing. */
int exprlang_java_code(const char *in, size_t n, exprlang_info *info);

#endif
