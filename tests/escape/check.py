#!/usr/bin/env python3
# check.py -- parses one rendered round-trip file with Python's own parsers and prints each value.
# Python source via compile(), YAML via yaml.safe_load, JSON via json, TOML via tomllib, XML via ElementTree.
import json, sys, tomllib, xml.etree.ElementTree as ET
import yaml


def enc(v):
    """The canonical line form shared by every checker: s<hex> n<num> t f z [a,b] {k:v}."""
    if isinstance(v, bool):
        return 't' if v else 'f'
    if v is None:
        return 'z'
    if isinstance(v, (int, float)):
        return 'n' + repr(v)
    if isinstance(v, str):
        return 's' + v.encode('utf-8', 'surrogatepass').hex()
    if isinstance(v, list):
        return '[' + ','.join(enc(x) for x in v) + ']'
    if isinstance(v, dict):
        return '{' + ','.join(sorted(enc(k) + ':' + enc(x) for k, x in v.items())) + '}'
    return '?' + type(v).__name__


def items(case, lang, path, extract):
    if lang == 'python':
        out = []
        code = compile(open(path, 'rb').read(), path, 'exec')
        exec(code, {'add': out.append})
        return out
    if lang == 'yaml':
        got = yaml.safe_load(open(path, 'rb'))['items']
    elif lang == 'json':
        got = json.loads(open(path, 'rb').read().decode('utf-8'))['items'][1:]
    elif lang == 'toml':
        got = tomllib.load(open(path, 'rb'))['t']['items']
    elif lang == 'xml':
        root = ET.parse(path).getroot()
        vs = [e for e in root if e.tag == 'v']
        if case.startswith('xml_attr'):
            return [e.get('a') for e in vs]
        return [e.text or '' for e in vs]
    else:
        raise SystemExit('check.py: unknown language ' + lang)
    if extract == 'key':
        return [next(iter(x)) for x in got]
    if extract:
        return [x[extract] for x in got]
    return got


def main():
    case, lang, path = sys.argv[1:4]
    extract = sys.argv[4] if len(sys.argv) > 4 else ''
    for v in items(case, lang, path, extract):
        print(enc(v))


main()
