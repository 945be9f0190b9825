#!/usr/bin/env bash
# Benchmark: a pre-commit scan of 10 staged files in a git repository of 50,000 files.
#
#   bench/staged.sh [FILES] [STAGED]       (defaults: 50000 files, 10 staged)
#   RUNS=20 bench/staged.sh …              how many timed runs (median and best reported)
#
# The repository mixes Dockerfiles, compose files, Kubernetes manifests, Terraform modules and
# Python sources, all committed; then STAGED files (a Dockerfile, a manifest, a Terraform file
# whose module context is read from the index, source files) are edited and staged, and
# `palisade scan --staged` is timed, git's own work included. Needs git and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-50000}
staged=${2:-10}
runs=${RUNS:-20}
repo=target/bench-corpus/staged-$files
bin=$(pwd)/target/release/palisade

cargo build --release --quiet --locked --bin palisade
if [ ! -d "$repo/.git" ]; then
  rm -rf "$repo" && mkdir -p "$repo"
  python3 - "$repo" "$files" <<'PY'
import os, sys
root, total = sys.argv[1], int(sys.argv[2])
kinds = [
    ("Dockerfile", "FROM python:3.12-slim\nRUN pip install app=={n}\nUSER app\nHEALTHCHECK CMD true\n"),
    ("deploy.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{n}\nspec:\n  ports:\n    - port: 80\n"),
    ("main.tf", "resource \"aws_s3_bucket\" \"b{n}\" {{\n  bucket = \"bucket-{n}\"\n}}\n"),
    ("variables.tf", "variable \"name_{n}\" {{\n  default = \"x{n}\"\n}}\n"),
    ("docker-compose.yml", "services:\n  web:\n    image: nginx:1.27\n"),
] + [("module.py", "def handler_{n}(event):\n    return event.get('id', {n})\n")] * 5
for n in range(total):
    name, text = kinds[n % len(kinds)]
    directory = os.path.join(root, f"team{n % 50:02}", f"service{(n // 50) % 100:03}", f"unit{n // 5000:02}_{n % 10}")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, f"{n}-{name}" if name == "module.py" else name), "w") as f:
        f.write(text.format(n=n))
PY
  git -C "$repo" init -q
  git -C "$repo" -c user.email=b@example.com -c user.name=bench add -A
  git -C "$repo" -c user.email=b@example.com -c user.name=bench -c commit.gpgsign=false commit -qm corpus
fi
git -C "$repo" reset -q --hard
# Edit and stage STAGED files of different kinds.
# Every kind of file, spread over the tree: Dockerfiles, manifests, Terraform, compose, Python.
mapfile -t picks < <(git -C "$repo" ls-files | awk -F/ '{kind = $NF; sub(/^[0-9]+-/, "", kind)} seen[kind]++ % 997 == 1' \
  | awk '{kind = $0; sub(/.*\//, "", kind); sub(/^[0-9]+-/, "", kind); print kind "\t" $0}' | sort -s -k1,1 \
  | awk -F'\t' '{print $2}' | awk 'NR % 5 == 1' | head -n "$staged")
for path in "${picks[@]}"; do
  printf '\n# edited\n' >> "$repo/$path"
done
printf 'FROM python\nEXPOSE 22\n' >> "$repo/${picks[0]}"
git -C "$repo" add -- "${picks[@]}"
echo "repository: $repo ($(git -C "$repo" ls-files | wc -l) files), staged: ${#picks[@]}"

times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  (cd "$repo" && "$bin" scan --staged --format json --output /dev/null --fail-on none)
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000 )))
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "palisade scan --staged: median %.1f ms, best %.1f ms (%d runs)\n", a[int((NR+1)/2)]/1000, a[1]/1000, NR}'
(cd "$repo" && "$bin" scan --staged --fail-on none | tail -n 1)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
