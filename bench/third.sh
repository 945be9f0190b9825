#!/usr/bin/env bash
# A third labelled corpus for bench/precision.sh: a cloud provider's Kubernetes samples (databases,
# AI serving, Terraform), a sample application with compose, stack and manifests, and a Go
# service with Kustomize, Helm and Timoni configurations.
#
#   bench/third.sh [DIR]        (default: target/bench-corpus/third)
#   bench/precision.sh target/bench-corpus/third bench/labels/third.tsv
#
# DIR holds one directory per repository below, named owner+name, checked out at the commit
# given. Missing ones are cloned (which needs network access to github.com). The repositories are
# not part of this one: they are third-party code, used here only as input.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/bench-corpus/third}
repositories=(
  "GoogleCloudPlatform/kubernetes-engine-samples 2b5036514162a489145c5e5570bc320efbcb37bf"
  "dockersamples/example-voting-app 63e9150ca17af4ed05880d4245e486481f73fcb4"
  "stefanprodan/podinfo eec06d1ea459af4cb4e10e806f8be7c7bd58b361"
)
source bench/fetch.sh
fetch_repositories "$dir" "${repositories[@]}"
echo "corpus: ${#repositories[@]} repositories, $(find "$dir" -type f -not -path '*/.git/*' | wc -l) files in $dir"
