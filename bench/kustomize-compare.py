#!/usr/bin/env python3
"""Kustomize overlays built by palisade, side by side with `kubectl kustomize`.

    bench/kustomize-compare.py DIR...      (every directory with a kustomization under DIR)

For each kustomization that kubectl builds, the two outputs are compared as sets of documents
(canonical JSON, generated names' hash suffixes included). `palisade render` masks the secrets it
finds: a value it shows masked is taken as kubectl's value at the same place. Prints the overlays
that differ, the first differing document of each, and the counts.
Needs kubectl (Debian's package builds offline), python3 with PyYAML, and a release build
(`cargo build --release`). The corpora of bench/real.sh, bench/third.sh and the argocd-example-apps
and kubernetes-sigs/kustomize repositories (bench/charts.sh's fetch helper) are the usual input.
"""
import json, os, re, subprocess, sys

import yaml

palisade = os.path.join(os.path.dirname(__file__), '..', 'target', 'release', 'palisade')

def parsed(text):
    return [document for document in yaml.safe_load_all(text) if document]

def identity(document):
    metadata = document.get('metadata') or {}
    return (document.get('apiVersion'), document.get('kind'), metadata.get('namespace'), metadata.get('name'))

def unmasked(shown, truth):
    """`shown` with every masked string replaced by `truth`'s value at the same place."""
    if isinstance(shown, str) and '********' in shown:
        return truth
    if isinstance(shown, dict) and isinstance(truth, dict):
        return {key: unmasked(value, truth.get(key)) for key, value in shown.items()}
    if isinstance(shown, list) and isinstance(truth, list) and len(shown) == len(truth):
        return [unmasked(a, b) for a, b in zip(shown, truth)]
    return shown

def documents(documents, truths=()):
    by_identity = {identity(truth): truth for truth in truths}
    return sorted(json.dumps(unmasked(d, by_identity.get(identity(d))), sort_keys=True) for d in documents)

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
    truth = parsed(expected.stdout)
    a, b = documents(truth), documents(parsed(built.stdout), truth)
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
