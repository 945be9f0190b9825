#!/usr/bin/env bash
# GitHub Actions workflows of public repositories, side by side with zizmor.
#
#   bench/workflows.sh            (RUNS=10 by default: median wall time of each tool)
#
# The workflows are those of the repositories that bench/real.sh, bench/extra.sh, bench/third.sh
# and bench/charts.sh fetch (each script records its repositories and commits), copied into
# target/bench-corpus/workflows with their paths kept. zizmor (`pip install zizmor`) runs
# offline with its default persona. For each palisade rule with a zizmor counterpart, prints the
# findings each tool reports that the other does not (palisade's by line, zizmor's by the span
# of its primary location), for judging by reading them.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
corpus=target/bench-corpus/workflows
zizmor=${ZIZMOR:-$(command -v zizmor || echo /tmp/peers/bin/zizmor)}

cargo build --release --quiet --locked --bin palisade
rm -rf "$corpus" && mkdir -p "$corpus"
for source in target/bench-corpus/{real,extra,third,charts}; do
  [ -d "$source" ] || { echo "missing $source: run the bench script that fetches it"; exit 2; }
  find "$source" -path '*/.github/workflows/*' \( -name '*.yml' -o -name '*.yaml' \) -print0 |
    while IFS= read -r -d '' file; do
      target="$corpus/${file#target/bench-corpus/}"
      mkdir -p "$(dirname "$target")" && cp "$file" "$target"
    done
done
files=$(find "$corpus" -type f | wc -l)
echo "corpus: $corpus ($files workflow files)"

source bench/common.sh
bin=target/release/palisade
rules=GHA001,GHA002,GHA003,GHA004,GHA005,GHA006,GHA007,GHA010,GHA011,GHA012,GHA013
"$bin" scan "$corpus" --select "$rules" --format json --fail-on none > "$corpus.palisade.json"
time_runs "palisade" "$bin" scan "$corpus" --select "$rules" --format json --fail-on none
if [ -x "$zizmor" ]; then
  mapfile -t workflows < <(find "$corpus" -type f | sort)
  "$zizmor" --offline --format json "${workflows[@]}" > "$corpus.zizmor.json" 2> /dev/null || true
  time_runs "zizmor $("$zizmor" --version | cut -d' ' -f2)" "$zizmor" --offline --format json "${workflows[@]}"
else
  echo "zizmor not found (pip install zizmor): only palisade's findings are counted"
  echo '[]' > "$corpus.zizmor.json"
fi
python3 - "$corpus" <<'PY'
import collections, json, sys
corpus = sys.argv[1]
ours = json.load(open(corpus + '.palisade.json'))['findings']
theirs = json.load(open(corpus + '.zizmor.json'))
pairs = [
    ('GHA001', ['unpinned-uses']), ('GHA002', ['template-injection']),
    ('GHA003', ['dangerous-triggers']), ('GHA004', ['excessive-permissions', 'secrets-inherit']),
    ('GHA005', ['insecure-commands']), ('GHA006', ['self-hosted-runner']),
    ('GHA007', ['artipacked']), ('GHA010', ['unpinned-images']),
]
def places(finding):
    for location in finding['locations']:
        if location['symbolic']['kind'] != 'Primary':
            continue
        key = location['symbolic']['key']['Local']
        path = (key.get('given_path') or key.get('verbatim_path')).split('workflows/', 1)[-1]
        span = location['concrete']['location']
        yield path, span['start_point']['row'] + 1, span['end_point']['row'] + 1
print(f"{'palisade':8} {'zizmor':28} {'palisade':>8} {'zizmor':>7} {'both':>5} {'only palisade':>14} {'only zizmor':>12}")
for rule, idents in pairs:
    mine = [(f['path'].split('workflows/', 1)[-1], f['start']['line']) for f in ours if f['rule_id'] == rule]
    other = [f for f in theirs if f['ident'] in idents]
    matched_mine = set()
    only_theirs = collections.Counter()
    for finding in other:
        hit = False
        for path, start, end in places(finding):
            for index, (my_path, line) in enumerate(mine):
                if my_path == path and start <= line <= end:
                    matched_mine.add(index)
                    hit = True
        if not hit:
            d = finding['determinations']
            only_theirs[f"{d['severity']}/{d['confidence']}"] += 1
    both = sum(1 for f in other if any(True for _ in places(f))) - sum(only_theirs.values())
    print(f"{rule:8} {'+'.join(idents):28} {len(mine):>8} {len(other):>7} {both:>5} {len(mine) - len(matched_mine):>14} {sum(only_theirs.values()):>12}  {dict(only_theirs)}")
PY
