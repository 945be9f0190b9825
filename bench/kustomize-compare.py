#!/usr/bin/env python3
"""Kustomize overlays built by palisade, side by side with `kubectl kustomize`.

    bench/kustomize-compare.py DIR...      (every directory with a kustomization under DIR)

For each kustomization that kubectl builds, the two outputs are compared as sets of documents
(canonical JSON; generated names' ten-character hash suffixes cut, since palisade's suffix is its
own). Prints the overlays that differ, the first differing document of each, and the counts.
Needs kubectl (Debian's package builds offline), python3 with PyYAML, and a release build
(`cargo build --release`). The corpora of bench/real.sh, bench/third.sh and the argocd-example-apps
and kubernetes-sigs/kustomize repositories (bench/charts.sh's fetch helper) are the usual input.
"""
import json, os, re, subprocess, sys

import yaml

palisade = os.path.join(os.path.dirname(__file__), '..', 'target', 'release', 'palisade')

def documents(text):
    out = []
    for document in yaml.safe_load_all(text):
        if document:
            out.append(re.sub(r'-[a-z0-9]{10}"', '"', json.dumps(document, sort_keys=True)))
    return sorted(out)

roots = []
for base in sys.argv[1:]:
    for top, dirs, files in os.walk(base):
        dirs[:] = [d for d in dirs if not d.startswith('.')]
        if {'kustomization.yaml', 'kustomization.yml', 'Kustomization'} & set(files):
            roots.append(top)
same = different = unbuildable = 0
for root in sorted(roots):
    expected = subprocess.run(['kubectl', 'kustomize', root], capture_output=True, text=True)
    if expected.returncode != 0:
        unbuildable += 1
        continue
    built = subprocess.run([palisade, 'render', root], capture_output=True, text=True)
    a, b = documents(expected.stdout), documents(built.stdout)
    if a == b:
        same += 1
        continue
    different += 1
    print('differs:', root)
    for document in sorted(set(a) - set(b))[:1]:
        print('  kubectl: ', document[:400])
    for document in sorted(set(b) - set(a))[:1]:
        print('  palisade:', document[:400])
print(f'identical {same}, different {different}, not built by kubectl {unbuildable}, of {len(roots)} kustomizations')
