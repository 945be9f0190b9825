#!/usr/bin/env bash
# Benchmark: building and checking generated Kustomize overlays.
#
#   bench/kustomize.sh [OVERLAYS] [BASE]   (default: 100 overlays over a base of 40 manifests)
#   RUNS=10 bench/kustomize.sh …           how many timed runs (median and best reported)
#
# One base of BASE manifests (Deployments, Services, ConfigMaps) and OVERLAYS overlays over it,
# each the way real overlays are written: a strategic merge patch file, an inline patch, a file
# of JSON 6902 operations, `images`, `namespace`, `namePrefix`, labels, and a ConfigMap and a
# Secret generated from literals and an env file. Timed: `palisade scan` of one overlay with its
# base, of all overlays (overlays per second), and `palisade scan --staged` of a git repository
# of them after one base manifest and after one overlay's patch is changed (the pre-commit
# path). Needs git and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
overlays=${1:-100}
base=${2:-40}
runs=${RUNS:-10}
corpus=target/bench-corpus/kustomize-$overlays-$base
bin=$(pwd)/target/release/palisade

cargo build --release --quiet --locked --bin palisade
if [ ! -d "$corpus/.git" ]; then
  rm -rf "$corpus" && mkdir -p "$corpus"
  python3 - "$corpus" "$overlays" "$base" <<'PY'
import os, sys
root, overlays, base = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def write(path, text):
    path = os.path.join(root, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)

DEPLOYMENT = '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc%(n)d
  labels: {app: svc%(n)d}
spec:
  replicas: 2
  selector:
    matchLabels: {app: svc%(n)d}
  template:
    metadata:
      labels: {app: svc%(n)d}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: main
          image: registry.internal/acme/svc%(n)d
          ports:
            - containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
          resources:
            requests: {cpu: 100m, memory: 128Mi}
        - name: sidecar
          image: registry.internal/acme/proxy:2.1.0
'''
SERVICE = '''apiVersion: v1
kind: Service
metadata:
  name: svc%(n)d
spec:
  selector: {app: svc%(n)d}
  ports:
    - port: 80
      targetPort: 8080
'''
CONFIG = '''apiVersion: v1
kind: ConfigMap
metadata:
  name: svc%(n)d-settings
data:
  settings.yaml: |
    listen: 8080
    workers: 4
'''
resources = []
for n in range(base):
    kind = [DEPLOYMENT, SERVICE, CONFIG][n % 3]
    name = ['deployment', 'service', 'config'][n % 3]
    write('deploy/base/%s-%d.yaml' % (name, n), kind % {'n': n})
    resources.append('%s-%d.yaml' % (name, n))
write('deploy/base/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n' + ''.join('  - %s\n' % r for r in resources))
for o in range(overlays):
    d = 'deploy/overlays/o%03d/' % o
    write(d + 'hardening.yaml', '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc0
spec:
  template:
    spec:
      containers:
        - name: main
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          readinessProbe:
            httpGet: {path: /ready, port: 8080}
''')
    write(d + 'replicas.yaml', '''- op: replace
  path: /spec/replicas
  value: %d
- op: add
  path: /spec/template/spec/containers/0/resources/limits
  value: {memory: 512Mi}
''' % (o % 5 + 1))
    write(d + 'app.env', 'REGION=eu-west-%d\nFEATURE_FLAGS=a,b,c\n' % (o % 3))
    write(d + 'kustomization.yaml', '''apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: team-%(o)d
namePrefix: o%(o)d-
labels:
  - pairs: {env: o%(o)d}
    includeSelectors: true
resources:
  - ../../base
patches:
  - path: hardening.yaml
  - path: replicas.yaml
    target: {kind: Deployment, name: svc3}
  - target: {kind: Deployment, name: svc6}
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: svc6
      spec:
        template:
          spec:
            automountServiceAccountToken: false
images:
  - name: registry.internal/acme/svc0
    newTag: "1.%(o)d.0"
  - name: registry.internal/acme/svc3
    digest: sha256:4f1c8d03c1c5b3c8d2a7f0e4b9e6d5c4b3a29181716151413121110090807060
configMapGenerator:
  - name: app
    envs: [app.env]
    literals: [MODE=overlay]
secretGenerator:
  - name: tls
    literals: [CERT_PATH=/etc/tls/cert.pem]
''' % {'o': o})
PY
  git -C "$corpus" init -q
  git -C "$corpus" add -A
  git -C "$corpus" -c user.email=bench@example.com -c user.name=bench commit -qm corpus
fi
git -C "$corpus" reset -q --hard
echo "corpus: $corpus ($overlays overlays over a base of $base manifests, $(git -C "$corpus" ls-files | wc -l) files)"

source bench/common.sh

mkdir -p "$corpus.one/deploy/overlays"
rm -rf "$corpus.one/deploy/base" "$corpus.one/deploy/overlays/o000"
cp -r "$corpus/deploy/base" "$corpus.one/deploy/base"
cp -r "$corpus/deploy/overlays/o000" "$corpus.one/deploy/overlays/o000"
time_runs "one overlay and its base" "$bin" scan "$corpus.one" --no-config --fail-on none --format json
time_runs "all $overlays overlays" "$bin" scan "$corpus" --no-config --fail-on none --format json
echo "  ($overlays overlays: overlays per second = $overlays * 1000 / median)"
time_runs "all $overlays overlays, --jobs 1" "$bin" scan "$corpus" --no-config --fail-on none --format json --jobs 1
printf '\n# edited\n' >> "$corpus/deploy/base/deployment-0.yaml"
git -C "$corpus" add deploy/base/deployment-0.yaml
time_runs "staged: one base manifest changed (every overlay rebuilt)" sh -c "cd '$corpus' && '$bin' scan --staged --no-config --fail-on none --format json"
git -C "$corpus" reset -q --hard
printf '\n# edited\n' >> "$corpus/deploy/overlays/o007/hardening.yaml"
git -C "$corpus" add deploy/overlays/o007/hardening.yaml
time_runs "staged: one overlay's patch changed" sh -c "cd '$corpus' && '$bin' scan --staged --no-config --fail-on none --format json"
git -C "$corpus" reset -q --hard
