#!/usr/bin/env bash
# Checks the pre-commit hooks for real, in each way pre-commit runs them: installs pre-commit from
# PyPI into a virtualenv, makes a throwaway git repository that uses this checkout's hooks, and
# shows that at commit time a bad staged file blocks the commit and a clean one passes, that only
# the staged content counts, and that `pre-commit run --all-files` and `--files` (how CI and
# pre-commit.ci run hooks) judge committed files, a Terraform file with its module.
#
#   scripts/pre-commit-check.sh            the `palisade-system` hook, with target/release on PATH
#   PROFILE=debug scripts/pre-commit-check.sh   the same with the debug build (what CI runs)
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
passed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }

# PROFILE=debug tests the debug build (what `cargo test` already built, so CI builds nothing more).
profile=${PROFILE:-release}
if [ "$profile" = release ]; then
  cargo build --release --quiet --locked --bin palisade
else
  cargo build --quiet --locked --bin palisade
fi
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
export PATH="$here/target/$profile:$work/venv/bin:$PATH"
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
if git commit -qm "clean Dockerfile"; then ok "a clean staged file is committed"
else echo "FAIL: a clean file was blocked"; exit 1; fi

printf 'FROM alpine\nEXPOSE 22\n' > Dockerfile
git add Dockerfile
if git commit -qm "bad Dockerfile"; then echo "FAIL: a bad file was committed"; exit 1
else ok "a bad staged file blocks the commit"; fi

# Only what is staged counts: the bad version staged, a fix left unstaged, still blocked.
printf 'FROM alpine:3.20\nUSER app\nHEALTHCHECK CMD true\n' > Dockerfile
if git commit -qm "bad Dockerfile, fixed only in the working tree"; then
  echo "FAIL: the unstaged fix let the staged bad file through"; exit 1
else ok "the staged content is what is judged"; fi
git commit -qm "bad Dockerfile, committed without the hook" --no-verify
# A CI checkout: the working tree is the commit.
git checkout -q -- Dockerfile

# CI runs hooks on what is committed, not on what is staged.
if pre-commit run --all-files > "$work/out" 2>&1; then
  cat "$work/out"; echo "FAIL: --all-files passed a committed bad Dockerfile"; exit 1
else ok "--all-files judges every committed file"; fi
if pre-commit run --files Dockerfile > "$work/out" 2>&1; then
  cat "$work/out"; echo "FAIL: --files passed a bad Dockerfile"; exit 1
else ok "--files judges the files named"; fi
printf 'notes\n' > README.md && git add README.md && git commit -qm readme --no-verify
if pre-commit run --files README.md > "$work/out" 2>&1; then ok "--files passes a clean file"
else cat "$work/out"; echo "FAIL: a clean file was blocked"; exit 1; fi

# A Terraform file is judged with the rest of its module: the open CIDR is a variable's default.
mkdir -p infra
printf 'variable "cidr" {\n  default = "0.0.0.0/0"\n}\n' > infra/variables.tf
printf 'resource "aws_security_group" "ssh" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = [var.cidr]\n  }\n}\n' > infra/sg.tf
git add infra && git commit -qm infra --no-verify
if pre-commit run --files infra/sg.tf > "$work/out" 2>&1; then
  cat "$work/out"; echo "FAIL: --files missed SSH open through a variable of the module"; exit 1
elif grep -q TFM001 "$work/out"; then ok "a Terraform file is judged with its module"
else cat "$work/out"; echo "FAIL: --files failed for another reason"; exit 1; fi
echo "pre-commit hook $hook: all checks passed"
echo "pre-commit: $passed passed, 0 failed"
