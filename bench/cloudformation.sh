#!/usr/bin/env bash
# CloudFormation and SAM templates of public repositories, side by side with Checkov's
# `cloudformation` framework.
#
#   bench/cloudformation.sh        (RUNS=5 by default: median wall time of each tool)
#
# The repositories below are cloned into target/bench-corpus/cloudformation at the commits given
# (which needs network access to github.com). Of the SAM repository only the templates of its
# integration tests are scanned (its translator tests are inputs built to fail). Checkov
# (`pip install checkov`) runs offline; it stops with an error on a few templates (Rain modules,
# a StackSets sample, four solutions), which are left out of its run. For each palisade rule
# with a Checkov counterpart, prints the resources each tool reports that the other does not.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
corpus=target/bench-corpus/cloudformation
checkov=${CHECKOV:-$(command -v checkov || echo /tmp/peers/bin/checkov)}
repositories=(
  "aws-cloudformation/aws-cloudformation-templates 142ce6f283d285fa370adb7f9d332d7f46dac5fc"
  "bridgecrewio/cfngoat 0c09b69cfc3dbc6cb3ef01883415c35c588ced48"
  "aws/serverless-application-model 7000d0a3b0e5e0d9fca014ce135850718aad1290"
)
source bench/fetch.sh
source bench/common.sh
fetch_repositories "$corpus" "${repositories[@]}"
cargo build --release --quiet --locked --bin palisade
bin=target/release/palisade
paths=(
  "$corpus/aws-cloudformation+aws-cloudformation-templates"
  "$corpus/bridgecrewio+cfngoat"
  "$corpus/aws+serverless-application-model/integration/resources/templates"
)
templates=$(grep -rlE 'AWSTemplateFormatVersion|AWS::[A-Za-z0-9]+::' "${paths[@]}" \
  --include='*.yaml' --include='*.yml' --include='*.json' --include='*.template' | wc -l)
echo "corpus: ${#repositories[@]} repositories, $templates template files"
rules=CFN001,CFN002,CFN003,CFN004,CFN005,CFN006,CFN007
"$bin" scan "${paths[@]}" --select "$rules" --format json --fail-on none > "$corpus.palisade.json"
time_runs "palisade" "$bin" scan "${paths[@]}" --select "$rules" --format json --fail-on none
skips=(--skip-path RainModules --skip-path GitLabAndVSCode --skip-path Gitea --skip-path VSCode
  --skip-path GitLab/ --skip-path StackSets/common-resources)
if [ -x "$checkov" ]; then
  directories=()
  for path in "${paths[@]}"; do directories+=(-d "$path"); done
  "$checkov" "${directories[@]}" --framework cloudformation -o json --quiet "${skips[@]}" \
    > "$corpus.checkov.json" 2> /dev/null || true
  time_runs "checkov $("$checkov" --version)" "$checkov" "${directories[@]}" \
    --framework cloudformation -o json --quiet "${skips[@]}"
else
  echo "checkov not found (pip install checkov): only palisade's findings are counted"
  echo '[]' > "$corpus.checkov.json"
fi
python3 - "$corpus" <<'PY'
import collections, json, re, sys
corpus = sys.argv[1]
def documents(path):
    # One JSON document per scanned directory, one after the other.
    text, decoder, at, out = open(path).read(), json.JSONDecoder(), 0, []
    while at < len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            break
        document, at = decoder.raw_decode(text, at)
        out.extend(document if isinstance(document, list) else [document])
    return out
def relative(path):
    return re.sub(r'^[^/]*\+[^/]*/', '', re.sub(r'^(\.\./)+', '', path.lstrip('/')))
ours = json.load(open(corpus + '.palisade.json'))['findings']
theirs = [f for report in documents(corpus + '.checkov.json')
          for f in report['results']['failed_checks']]
pairs = [('CFN001', ['CKV_AWS_24']), ('CFN002', ['CKV_AWS_17', 'CKV_AWS_87']),
         ('CFN004', ['CKV_AWS_97']), ('CFN005', ['CKV_AWS_97'])]
print(f"{'palisade':8} {'checkov':24} {'palisade':>8} {'checkov':>8} {'both':>5}  resources only one reports")
for rule, ids in pairs:
    mine = {(relative(f['path'][len(corpus) + 1:]), re.search(r'`([^`]+)`', f['message']).group(1))
            for f in ours if f['rule_id'] == rule}
    other = {(relative(f['file_path']), f['resource'].split('.')[-1])
             for f in theirs if f['check_id'] in ids}
    print(f"{rule:8} {'+'.join(ids):24} {len(mine):>8} {len(other):>8} {len(mine & other):>5}")
    for path, resource in sorted(mine - other):
        print(f"  only palisade: {path} {resource}")
    for path, resource in sorted(other - mine):
        print(f"  only checkov:  {path} {resource}")
print('palisade, every rule:', dict(collections.Counter(f['rule_id'] for f in ours)))
PY
