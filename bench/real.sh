#!/usr/bin/env bash
# Benchmark: all cores against one on a tree of real public repositories, checking that the
# output does not depend on the number of threads.
#
#   bench/real.sh [DIR]        (default: target/bench-corpus/real)
#
# DIR holds one directory per repository below, named owner+name, checked out at the commit
# given. Missing ones are cloned (which needs network access to github.com). The repositories are
# not part of this one: they are third-party code, used here only as input.
#   RUNS=11 bench/real.sh      how many timed runs of each (median reported)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/bench-corpus/real}
runs=${RUNS:-11}
bin=$(pwd)/target/release/palisade
repositories=(
  "Azure/terraform-azurerm-aks e29456edaa389ae47a3862963bb5a3b65f7126a5"
  "GoogleCloudPlatform/microservices-demo 34ffea9175946982c3088ed84994fe6019ad6e92"
  "GoogleCloudPlatform/terraform-google-sql-db 2619b42df54a4bfe78726eee3a86e927b996e17d"
  "actions/cache 27d5ce7f107fe9357f9df03efb73ab90386fccae"
  "actions/checkout f548e57e544e1ff5a4c46bf1e1b8685f8e4a348a"
  "bridgecrewio/terragoat 729f8da62c6a85ce4af5ad3d123de97776d954c4"
  "github/codeql-action f3f1edbedfb4a1d188d344570834df2996d45d39"
  "rustsec/advisory-db bf5c0d245a92671908518d7e765914d437954ed6"
  "terraform-aws-modules/terraform-aws-eks bef29c4d9523523e57fe898643fde2895106b339"
  "terraform-aws-modules/terraform-aws-rds fa183b6b36204913fac1219d09b4979c1e60443a"
  "terraform-aws-modules/terraform-aws-security-group 3cf4e1a48a4649179e8ea27308daf0b551cb0bfa"
  "terraform-aws-modules/terraform-aws-vpc 82d1929e669efef4e2ad00611b8a68e7a56e049c"
)
source bench/fetch.sh
fetch_repositories "$dir" "${repositories[@]}"
cargo build --release --quiet --locked --bin palisade
files=$(find "$dir" -type f -not -path '*/.git/*' | wc -l)
echo "corpus: ${#repositories[@]} repositories, $files files, $(du -sh --exclude=.git "$dir" | cut -f1)"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
time_runs() {
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e' "$bin" scan --jobs "$1" --fail-on none --quiet "$dir" 2>&1 >/dev/null | tail -1
  done | median
}
all=$(time_runs "$(nproc)")
one=$(time_runs 1)
printf 'all cores (%s)  %s s\n--jobs 1        %s s\nspeed-up        %.2fx\n' \
  "$(nproc)" "$all" "$one" "$(echo "$one / $all" | bc -l)"
# Identical output whatever the thread count (the elapsed time aside).
strip() { python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("elapsed_ms", None); print(json.dumps(d, sort_keys=True))'; }
"$bin" scan --jobs "$(nproc)" --format json --fail-on none "$dir" | strip > "$dir.all.json"
"$bin" scan --jobs 1 --format json --fail-on none "$dir" | strip > "$dir.one.json"
if cmp -s "$dir.all.json" "$dir.one.json"; then echo "output: identical"; else echo "output: DIFFERENT"; exit 1; fi
echo "machine: $(nproc) cores"
