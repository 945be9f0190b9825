#!/usr/bin/env bash
# GitLab CI pipelines of public repositories, side by side with Checkov's `gitlab_ci` framework.
#
#   bench/gitlab.sh            (RUNS=10 by default: median wall time of each tool)
#
# The repositories below are cloned into target/bench-corpus/gitlab at the commits given (which
# needs network access to github.com); their pipelines are `.gitlab-ci.yml` and the files it
# includes (`.gitlab/ci/*.yml` and the like), found by content. Checkov (`pip install checkov`)
# runs offline. Prints wall times, each tool's findings by rule, and palisade's findings with
# their places, for judging by reading them.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
corpus=target/bench-corpus/gitlab
checkov=${CHECKOV:-$(command -v checkov || echo /tmp/peers/bin/checkov)}
repositories=(
  "gitlabhq/gitlab-runner d79f3e7b89abceace75e2425bfe92b84ea059933"
  "gitlabhq/omnibus-gitlab 440b1f835eb205885d22933ac074cc11c1148609"
  "gitlabhq/gitlab-shell e3c50dfd8f25fb7a03e3be6df0cf0781593bd4e2"
  "gitlabhq/cli 45aa37be004536066e3661622996f39a7a1b72a2"
  "LibrePhone/pmbootstrap cea6e70209d2581f68f11476acbf3b73c0769bbd"
  "LibreHealthIO/lh-ehr 144776eb0550178c57716efbf733d00aa6b45c89"
  "integratop/gitlab-org-charts-mirror 3403350c8b8ef65a71b3676ebafafea435b54c41"
  "tachyons/gitlab-pages 82cd83e63f84b5a251912828df0e2daefd133857"
  "hetznercloud/fleeting-plugin-hetzner f89ed61cfd5132bfca2c455f2368c926172e5013"
  "OS2mo/os2mo d0aa37189df5143899a80dbcee4f0bd388b8ca15"
  "ACP3/cms 705e7fee6a0dd1e676f4c31ad35e0d0935f21f5e"
  "pesummary/pesummary 3bc32e9e37cb247131e8e0fccfbf283fa6e732d7"
  "ynezz/openwrt-ci 920b2350dfebddb99d01a6f22586beb6b92b31f3"
  "vtnsi/resonaate 8283e8b74481523f4c2e25e5ea02ebf1564472cb"
  "XoRHub/waas da54a6662c530b2c5111c6feabe82f066e287aba"
  "injurka/wander-mark 1d7754a6834deb035e032b57f725151fda0c0a61"
  "davidlihor/Eshop-Distributed-CloudNative-Architecture 3db620289e0cb0e7fc0a65cfb11fa666213dff74"
  "doevelopper/rules-sdlc 3773eb0ebd93091e2b0a36d28057e5927dc50521"
)
source bench/fetch.sh
source bench/common.sh
fetch_repositories "$corpus" "${repositories[@]}"
cargo build --release --quiet --locked --bin palisade
bin=target/release/palisade
rules=GLC010,GLC011,GLC012,GLC013
pipelines=$(find "$corpus" -path '*/.git' -prune -o -type f \( -name '*.yml' -o -name '*.yaml' \) -print0 |
  xargs -0 grep -lE '^ *(script|extends):' | wc -l)
echo "corpus: $corpus (${#repositories[@]} repositories, $pipelines YAML files with 'script:' or 'extends:' lines)"

"$bin" scan "$corpus" --select "$rules" --format json --fail-on none > "$corpus.palisade.json"
time_runs "palisade" "$bin" scan "$corpus" --select "$rules" --format json --fail-on none
if [ -x "$checkov" ]; then
  "$checkov" -d "$corpus" --framework gitlab_ci -o json --quiet > "$corpus.checkov.json" 2> /dev/null || true
  time_runs "checkov $("$checkov" --version)" "$checkov" -d "$corpus" --framework gitlab_ci -o json --quiet
else
  echo "checkov not found (pip install checkov): only palisade's findings are listed"
  echo '{"results": {"failed_checks": []}}' > "$corpus.checkov.json"
fi
python3 - "$corpus" <<'PY'
import collections, json, sys
corpus = sys.argv[1]
ours = json.load(open(corpus + '.palisade.json'))['findings']
theirs = json.load(open(corpus + '.checkov.json'))
theirs = theirs if isinstance(theirs, list) else [theirs]
failed = [f for report in theirs for f in report['results']['failed_checks']]
print('palisade:', dict(collections.Counter(f['rule_id'] for f in ours)))
print('checkov: ', dict(collections.Counter(f['check_id'] for f in failed)))
for f in ours:
    print(f"  {f['rule_id']} {f['path'][len(corpus) + 1:]}:{f['start']['line']} {f['message'][:100]}")
PY
