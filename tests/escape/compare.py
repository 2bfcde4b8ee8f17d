#!/usr/bin/env python3
# compare.py -- judges the escaping round trips: every value either parses back byte-exact with every
# real parser, or failed to render where the corpus says it must; prints "N passed, N failed".
import glob, json, os, re, sys


def norm(line):
    line = re.sub(r'n([^,\]\}:]+)', lambda m: 'n' + repr(float(m.group(1))), line)
    return line.replace('{}', '[]')


def expect_fail(entry, case):
    kind = 'value' if 'VALUE' in case['ctx'] else 'str'
    tokens = {'all', case['lang'], case['id'], kind}
    return any(t in tokens for t in entry.get('reject', []))


def main():
    out, cases_path, corpus_path = sys.argv[1:4]
    cases = json.load(open(cases_path))
    corpus = json.load(open(corpus_path))['values']
    engine = open(os.path.join(out, 'render.mode')).read().strip() == 'engine'
    passed = failed = 0
    problems = []

    def bad(msg):
        nonlocal failed
        failed += 1
        if len(problems) < 80:
            problems.append(msg)

    for case in cases['cases']:
        cid = case['id']
        res = open(os.path.join(out, cid + '.res')).read().split('\n')[:-1]
        for extra in res[len(corpus):]:
            bad(f'{cid}: {extra}')
        want = []                      # (corpus index, canonical) of the values that rendered
        for i, line in enumerate(res[:len(corpus)]):
            status, _, detail = line.partition('\t')
            entry = corpus[i]
            if status == 'skip':
                continue
            if status == 'fail':
                if engine and '{{x}}' not in detail and not detail.startswith('escaper only:'):
                    bad(f'{cid}: #{i} {entry["note"]}: the render error does not name the tag: {detail}')
                elif expect_fail(entry, case):
                    passed += 1
                else:
                    bad(f'{cid}: #{i} {entry["note"]}: render failed unexpectedly: {detail}')
                continue
            if expect_fail(entry, case):
                bad(f'{cid}: #{i} {entry["note"]}: rendered, but the target cannot hold it')
            want.append((i, detail))
        for rc_path in sorted(glob.glob(os.path.join(out, cid + '.*.rc'))):
            parser = rc_path[len(os.path.join(out, cid)) + 1:-3]
            rc = open(rc_path).read().strip()
            if parser == 'xmllint':
                if rc == '0':
                    passed += 1
                else:
                    bad(f'{cid}: xmllint rejects the file: ' + open(rc_path[:-3] + '.err').read()[-300:])
                continue
            got = open(rc_path[:-3] + '.out', encoding='utf-8', errors='replace').read().split('\n')[:-1]
            if rc != '0':
                err = open(rc_path[:-3] + '.err', errors='replace').read()[-400:]
                bad(f'{cid} [{parser}]: parse failed (exit {rc}): {err}')
                failed += len(want) - 1 if want else 0
                continue
            if len(got) != len(want):
                bad(f'{cid} [{parser}]: {len(got)} values read back, {len(want)} rendered')
            for k, (i, canon) in enumerate(want):
                if k < len(got) and norm(got[k]) == norm(canon):
                    passed += 1
                else:
                    shown = got[k][:120] if k < len(got) else '(missing)'
                    bad(f'{cid} [{parser}]: #{i} {corpus[i]["note"]}: read back {shown}, want {canon[:120]}')
    for line in open(os.path.join(out, 'forbidden.res')).read().split('\n')[:-1]:
        if line.startswith('ok\t'):
            passed += 1
        else:
            bad('context check: ' + line)
    for p in problems:
        print('not ok - ' + p)
    print(f'{passed} passed, {failed} failed, 0 skipped')
    return 1 if failed else 0


sys.exit(main())
