#!/usr/bin/env bash
# Helm charts of public repositories, rendered in-process: how many render every template with
# their default values, why the others do not, how long each takes, and the scan of all of them
# (side by side with Trivy, the one peer that renders charts itself, when it is installed).
#
#   bench/charts.sh [DIR]        (default: target/bench-corpus/charts)
#
# DIR holds one directory per repository below, named owner+name, checked out at the commit
# given. Missing ones are cloned (which needs network access to github.com). The repositories are
# not part of this one: they are third-party code, used here only as input.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/bench-corpus/charts}
repositories=(
  "prometheus-community/helm-charts cf408a290aec489277a94450bb3511432477a53a"
  "grafana/helm-charts 7a0ab968961a165318ab95ff678908c3b9bc3240"
  "bitnami/charts 5165628ae06697f8f68a670bef7739d93c4b7f44"
  "argoproj/argo-helm af0a9310bacbaa4636018dfe22c801a6d33a5c43"
  "traefik/traefik-helm-chart a8a66d0098703627b2cf352c66b1725c196a734a"
)
source bench/fetch.sh
fetch_repositories "$dir" "${repositories[@]}"
cargo build --release --quiet --locked --bin palisade
palisade=$PWD/target/release/palisade

python3 - "$dir" "$palisade" <<'PY'
import os, re, subprocess, sys, time
root, palisade = sys.argv[1].rstrip('/'), sys.argv[2]

def is_chart(d):
    return os.path.isfile(os.path.join(d, 'Chart.yaml'))

# Application charts that are not subcharts of another chart (library charts render nothing).
charts = []
for top, dirs, files in os.walk(root):
    dirs[:] = [d for d in dirs if not d.startswith('.')]
    if 'Chart.yaml' not in files:
        continue
    parent = os.path.dirname(top)
    if os.path.basename(parent) == 'charts' and is_chart(os.path.dirname(parent)):
        continue
    text = open(os.path.join(top, 'Chart.yaml'), errors='replace').read()
    if re.search(r'^type:\s*library', text, re.M):
        continue
    charts.append(top)
charts.sort()

times, failures = [], []
for chart in charts:
    started = time.perf_counter()
    run = subprocess.run([palisade, 'render', chart], capture_output=True, text=True)
    times.append((time.perf_counter() - started) * 1000)
    problems = [line for line in run.stderr.splitlines() if line and 'is not vendored' not in line]
    if problems:
        failures.append((chart[len(root) + 1:], problems[0]))

times.sort()
def pick(q):
    return times[min(len(times) - 1, int(q * len(times)))]
rendered = len(charts) - len(failures)
print(f'charts: {len(charts)}; every template rendered: {rendered} ({100 * rendered / len(charts):.1f}%)')
print(f'time per chart (palisade render, one process each): median {pick(0.5):.1f} ms, '
      f'p95 {pick(0.95):.1f} ms, max {times[-1]:.1f} ms')
for chart, problem in failures:
    print(f'  not rendered whole: {chart}: {problem[:160]}')
PY

echo
echo "scan of every chart (palisade scan $dir), 3 runs:"
for run in 1 2 3; do
  /usr/bin/time -f "  palisade: %e s, %M KB" "$palisade" scan "$dir" --no-config --fail-on none --format json -o /dev/null
done
if command -v trivy > /dev/null; then
  for repository in "$dir"/*/; do
    /usr/bin/time -f "  trivy config $(basename "$repository"): %e s, %M KB" \
      trivy config --skip-check-update --skip-version-check --disable-telemetry -q -f json -o /dev/null "$repository"
  done
fi
