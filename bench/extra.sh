#!/usr/bin/env bash
# A second labelled corpus for bench/precision.sh, chosen apart from the first: sample
# applications (compose and Dockerfiles), a deliberately vulnerable Kubernetes cluster, a
# deliberately leaky application (secrets in every form), and Kubernetes' own examples.
#
#   bench/extra.sh [DIR]        (default: target/bench-corpus/extra)
#   bench/precision.sh target/bench-corpus/extra bench/labels/extra.tsv
#
# DIR holds one directory per repository below, named owner+name, checked out at the commit
# given. Missing ones are cloned (which needs network access to github.com). The repositories are
# not part of this one: they are third-party code, used here only as input.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/bench-corpus/extra}
repositories=(
  "docker/awesome-compose 18f59bdb09ecf520dd5758fbf90dec314baec545"
  "madhuakula/kubernetes-goat 56e60a29ed66fda476fa4794b41749e953cbd60f"
  "OWASP/wrongsecrets 81da75d7835a36216437b1c894f91b3b37b5e43d"
  "kubernetes/examples 279e8e4fe314f6cb7bc55fa3fbc21bbeaa48c0ea"
)
source bench/fetch.sh
fetch_repositories "$dir" "${repositories[@]}"
echo "corpus: ${#repositories[@]} repositories, $(find "$dir" -type f -not -path '*/.git/*' | wc -l) files in $dir"
