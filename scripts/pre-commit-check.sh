#!/usr/bin/env bash
# Checks the pre-commit hooks for real: installs pre-commit from PyPI into a virtualenv, makes a
# throwaway git repository that uses this checkout's hooks, and shows that a bad staged file
# blocks the commit and a clean one passes.
#
#   scripts/pre-commit-check.sh            the `palisade-system` hook, with target/release on PATH
#   HOOK=palisade scripts/pre-commit-check.sh   the `palisade` hook, which pre-commit builds with cargo
#
# Needs python3 (with venv), git and cargo; pre-commit needs the hooks committed, so the current
# HEAD of this repository is what is tested.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
hook=${HOOK:-palisade-system}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --locked --bin palisade
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet pre-commit
export PATH="$here/target/release:$work/venv/bin:$PATH"
export PRE_COMMIT_HOME="$work/cache"

repo=$work/repo
git init -q "$repo" && cd "$repo"
git config user.email dev@example.com && git config user.name Dev && git config commit.gpgsign false
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $here
    rev: $(git -C "$here" rev-parse HEAD)
    hooks:
      - id: $hook
YAML
git add .pre-commit-config.yaml && git commit -qm "pre-commit config" --no-verify
pre-commit install --install-hooks > /dev/null

printf 'FROM alpine:3.20\nUSER app\nHEALTHCHECK CMD true\n' > Dockerfile
git add Dockerfile
if git commit -qm "clean Dockerfile"; then echo "ok: a clean staged file is committed"
else echo "FAIL: a clean file was blocked"; exit 1; fi

printf 'FROM alpine\nEXPOSE 22\n' > Dockerfile
git add Dockerfile
if git commit -qm "bad Dockerfile"; then echo "FAIL: a bad file was committed"; exit 1
else echo "ok: a bad staged file blocks the commit"; fi

# Only what is staged counts: the bad version staged, a fix left unstaged, still blocked.
printf 'FROM alpine:3.20\nUSER app\nHEALTHCHECK CMD true\n' > Dockerfile
if git commit -qm "bad Dockerfile, fixed only in the working tree"; then
  echo "FAIL: the unstaged fix let the staged bad file through"; exit 1
else echo "ok: the staged content is what is judged"; fi
echo "pre-commit hook $hook: all checks passed"
