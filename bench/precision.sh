#!/usr/bin/env bash
# Labelled benchmark: precision of the core policies on public repositories, against labels made
# by reading each file.
#
#   bench/precision.sh [DIR] [LABELS]
#       default: target/bench-corpus/real (as bench/real.sh fills it) and bench/labels/real.tsv;
#       the second corpus: target/bench-corpus/extra (bench/extra.sh) and bench/labels/extra.tsv;
#       CloudFormation: target/bench-corpus/cloudformation (bench/cloudformation.sh) and
#       bench/labels/cloudformation.tsv
#
# Every finding of a core policy must be labelled: an unlabelled one is listed, so that the
# labels grow with the rules. A finding labelled true that is no longer reported is a miss.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/bench-corpus/real}
labels=${2:-bench/labels/real.tsv}
[ -d "$dir" ] || { echo "run bench/real.sh (or bench/extra.sh) first to fetch the repositories into $dir"; exit 2; }
cargo build --release --quiet --locked --bin palisade
target/release/palisade scan --format json --fail-on none "$dir" > "$dir.precision.json"
python3 - "$dir" "$dir.precision.json" "$labels" <<'PY'
import json, sys
root, report, labels_file = sys.argv[1].rstrip('/') + '/', sys.argv[2], sys.argv[3]
catalog = {}
labels = {}
for line in open(labels_file):
    if line.startswith('#') or not line.strip():
        continue
    path, number, rule, label, *reason = line.rstrip('\n').split('\t')
    labels[(path, int(number), rule)] = label
findings = json.load(open(report))['findings']
policy_of = {
    'no-root': ['CMP001', 'CMP002', 'CMP007', 'DKR001', 'K8S001', 'K8S002', 'GHA011', 'GLC011', 'CFN004', 'CFN005'],
    'no-latest': ['CMP003', 'DKR002', 'K8S003', 'TFM005', 'GHA010', 'GLC010', 'CFN006'],
    'no-hardcoded-secrets': ['CMP004', 'DKR004', 'K8S004', 'K8S005', 'SEC001', 'SEC002', 'TFM004', 'GHA012', 'GLC012', 'CFN003'],
    'no-public-db': ['CMP005', 'K8S006', 'TFM002', 'TFM003', 'CFN002'],
    'no-public-ssh': ['CMP006', 'DKR003', 'K8S007', 'TFM001', 'CFN001'],
}
rule_policy = {rule: policy for policy, rules in policy_of.items() for rule in rules}
reported = set()
rows = {policy: [0, 0, 0] for policy in policy_of}   # true, false, unlabelled
unlabelled = []
for f in findings:
    policy = rule_policy.get(f['rule_id'])
    if not policy:
        continue
    key = (f['path'].replace(root, '', 1), f['start']['line'], f['rule_id'])
    reported.add(key)
    label = labels.get(key)
    if label == 'true':
        rows[policy][0] += 1
    elif label == 'false':
        rows[policy][1] += 1
    else:
        rows[policy][2] += 1
        unlabelled.append(key)
missed = [k for k, label in labels.items() if label == 'true' and k not in reported]
print(f"{'policy':22} {'true':>5} {'false':>6} {'unlabelled':>11} {'precision':>10}")
total = [0, 0, 0]
for policy, (t, f, u) in rows.items():
    total = [a + b for a, b in zip(total, (t, f, u))]
    precision = f"{100 * t / (t + f):.0f}%" if t + f else '-'
    print(f"{policy:22} {t:5} {f:6} {u:11} {precision:>10}")
t, f, u = total
print(f"{'all core policies':22} {t:5} {f:6} {u:11} {100 * t / max(t + f, 1):9.0f}%")
known_false = sum(1 for label in labels.values() if label == 'false')
print(f"known false alarms no longer reported: {known_false - f} of {known_false}")
print(f"labelled true, no longer reported (misses): {len(missed)}")
for key in unlabelled + missed:
    print('  ', 'unlabelled' if key in unlabelled else 'missed', *key)
PY
