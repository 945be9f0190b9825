#!/usr/bin/env bash
# Benchmark: rendering and checking generated Helm charts.
#
#   bench/helm.sh [CHARTS]        (default: 20 charts)
#   RUNS=10 bench/helm.sh …       how many timed runs (median and best reported)
#
# Each chart has 50 templates (deployments, services and config maps written through helpers,
# `toYaml`, `range` and conditionals) and three subcharts of 10 templates each, the way real
# charts are written. Timed: `palisade scan` of one chart, of all CHARTS charts (charts per
# second), and `palisade scan --staged` of a git repository of the charts after one template is
# changed (the pre-commit path). Needs git and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
charts=${1:-20}
runs=${RUNS:-10}
corpus=target/bench-corpus/helm-$charts
bin=$(pwd)/target/release/palisade

cargo build --release --quiet --locked --bin palisade
if [ ! -d "$corpus/.git" ]; then
  rm -rf "$corpus" && mkdir -p "$corpus"
  python3 - "$corpus" "$charts" <<'PY'
import os, sys
root, count = sys.argv[1], int(sys.argv[2])

HELPERS = '''{{- define "%(name)s.fullname" -}}
{{- printf "%%s-%%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "%(name)s.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%%s-%%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}
'''

DEPLOYMENT = '''{{- if .Values.components.c%(n)d.enabled }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "%(name)s.fullname" . }}-c%(n)d
  labels:
    {{- include "%(name)s.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.components.c%(n)d.replicas | default 1 }}
  selector:
    matchLabels:
      {{- include "%(name)s.labels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "%(name)s.labels" . | nindent 8 }}
    spec:
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      containers:
        - name: main
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          env:
            {{- range $key, $value := .Values.components.c%(n)d.env }}
            - name: {{ $key }}
              value: {{ $value | quote }}
            {{- end }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
{{- end }}
'''

SERVICE = '''apiVersion: v1
kind: Service
metadata:
  name: {{ include "%(name)s.fullname" . }}-s%(n)d
  labels:
    {{- include "%(name)s.labels" . | nindent 4 }}
spec:
  type: {{ .Values.service.type }}
  ports:
    {{- range .Values.service.ports }}
    - name: {{ .name }}
      port: {{ .port }}
    {{- end }}
'''

CONFIG = '''apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "%(name)s.fullname" . }}-m%(n)d
data:
  settings.yaml: |
    {{- tpl (toYaml .Values.settings) . | nindent 4 }}
'''

def values(components):
    lines = ['image:', '  repository: registry.example.com/app', '  tag: ""',
             'podSecurityContext:', '  runAsNonRoot: true', '  runAsUser: 10001',
             'securityContext:', '  allowPrivilegeEscalation: false', '  readOnlyRootFilesystem: true',
             '  capabilities:', '    drop: [ALL]',
             'resources:', '  limits:', '    memory: 256Mi', '  requests:', '    cpu: 100m', '    memory: 128Mi',
             'service:', '  type: ClusterIP', '  ports:', '    - {name: http, port: 80}', '    - {name: metrics, port: 9090}',
             'settings:', '  release: "{{ .Release.Name }}"', '  level: info',
             'components:']
    for n in range(components):
        lines += [f'  c{n}:', '    enabled: true', f'    replicas: {1 + n % 3}', '    env:',
                  f'      LOG_LEVEL: info', f'      COMPONENT: c{n}']
    return '\n'.join(lines) + '\n'

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)

def chart(directory, name, templates):
    write(f'{directory}/Chart.yaml', f'apiVersion: v2\nname: {name}\nversion: 1.2.3\nappVersion: "4.5.6"\n')
    write(f'{directory}/values.yaml', values(templates))
    write(f'{directory}/templates/_helpers.tpl', HELPERS % {'name': name})
    for n in range(templates):
        kind = (DEPLOYMENT, SERVICE, CONFIG)[n % 3]
        write(f'{directory}/templates/t{n:02}.yaml', kind % {'name': name, 'n': n})

for c in range(count):
    top = f'{root}/chart{c:02}'
    chart(top, f'app{c}', 50)
    for s in range(3):
        chart(f'{top}/charts/sub{s}', f'sub{s}', 10)
PY
  git -C "$corpus" init -q
  git -C "$corpus" -c user.email=b@example.com -c user.name=bench add -A
  git -C "$corpus" -c user.email=b@example.com -c user.name=bench -c commit.gpgsign=false commit -qm charts
fi
git -C "$corpus" reset -q --hard
echo "corpus: $corpus ($charts charts, $(git -C "$corpus" ls-files | wc -l) files, $(git -C "$corpus" ls-files | grep -c '/templates/t') templates)"

source bench/common.sh

time_runs "one chart (80 templates)" "$bin" scan "$corpus/chart00" --no-config --fail-on none --format json
time_runs "all $charts charts" "$bin" scan "$corpus" --no-config --fail-on none --format json
time_runs "all $charts charts, --jobs 1" "$bin" scan "$corpus" --no-config --fail-on none --format json --jobs 1
printf '\n# edited\n' >> "$corpus/chart00/templates/t03.yaml"
git -C "$corpus" add chart00/templates/t03.yaml
time_runs "staged: one template changed" sh -c "cd '$corpus' && '$bin' scan --staged --no-config --fail-on none --format json"
git -C "$corpus" reset -q --hard
