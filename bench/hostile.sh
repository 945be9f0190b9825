#!/usr/bin/env bash
# Benchmark: peak memory and time on inputs built to exhaust the parsers, one format each,
# about 10 MB apiece, beside a realistic file of the same size for the formats where real files
# get that large (Kubernetes bundles, generated Terraform).
#
#   bench/hostile.sh [MB]          (default: 10)
#
# Each input is scanned alone with --max-file-size raised above it, so that the parse budget,
# not the size limit, decides; the table gives peak resident memory (GNU time), its ratio to the
# file's size, the wall time, and whether the file was parsed. Needs python3 and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-10}
bytes=$((mb * 1024 * 1024))
dir=target/bench-corpus/hostile-$mb
bin=$(pwd)/target/release/palisade

cargo build --release --quiet --locked --bin palisade
rm -rf "$dir" && mkdir -p "$dir"
python3 - "$dir" "$bytes" "$(pwd)/fixtures" <<'PY'
import glob, json, os, sys
root, n, fixtures = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def write(name, text):
    path = os.path.join(root, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
def repeat(glob_pattern, separator):
    parts = [open(p).read() for p in sorted(glob.glob(glob_pattern, recursive=True))]
    parts = [p for p in parts if "{{" not in p]
    text = separator.join(parts)
    return separator.join([text] * (n // len(text) + 1))[:n]
write("tf-heredoc/main.tf", "locals {\n  x = <<EOT\n" + "${a}" * (n // 4) + "\nEOT\n}\n")
write("tf-list/main.tf", "locals {\n  x = [" + "1," * (n // 2) + "]\n}\n")
write("tf-blocks/main.tf", "".join(f"locals {{\n  a{i} = {i}\n}}\n" for i in range(n // 24)))
write("tf-attributes/main.tf", "locals {\n" + "".join(f'  a{i} = "${{var.x}}-{i}"\n' for i in range(n // 25)) + "}\n")
# A 267-byte file whose directory holds a hostile sibling, read for variables.
write("tf-sibling/big.tf", "locals {\n  x = <<EOT\n" + "${a}" * (n // 4) + "\nEOT\n}\n")
write("tf-sibling/small.tf", 'resource "aws_security_group" "ssh" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n' + "# padding to 267 bytes\n" * 3)
write("tf-json/main.tf.json", '{"locals":{"x":[' + "1," * (n // 2) + "1]}}\n")
write("k8s-json/pod.json", '{"apiVersion":"v1","kind":"Pod","metadata":{"x":[' + "1," * (n // 2) + "1]}}\n")
write("yaml-list/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n" + "    - a\n" * (n // 8))
write("yaml-flow/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  x: [" + "a," * (n // 2) + "]\n")
write("compose/docker-compose.yml", "services:\n  web:\n    image: x:1\n    environment:\n" + "      - A=b\n" * (n // 12))
write("dockerfile/Dockerfile", "FROM alpine:3\n" + "RUN a\n" * (n // 6))
write("real-k8s/all.yaml", repeat(fixtures + "/kubernetes/**/*.yaml", "\n---\n"))
write("real-tf/all.tf", repeat(fixtures + "/terraform/**/*.tf", "\n"))
# Generated Terraform JSON (as CDK for Terraform writes it): resources of three kinds, indented.
resources = {"aws_security_group": {}, "aws_db_instance": {}, "aws_instance": {}}
for i in range(n // 650):
    resources["aws_security_group"][f"sg{i}"] = {"name": f"sg-{i}", "vpc_id": "${aws_vpc.main.id}",
        "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"]}],
        "tags": {"Name": f"sg-{i}", "env": "prod"}}
    resources["aws_db_instance"][f"db{i}"] = {"engine": "postgres", "instance_class": "db.t3.micro",
        "storage_encrypted": True, "password": "${var.password}", "deletion_protection": True}
    resources["aws_instance"][f"vm{i}"] = {"ami": "ami-123456", "instance_type": "t3.micro",
        "subnet_id": "${aws_subnet.a.id}", "tags": {"Name": f"vm-{i}"}}
write("real-tf-json/main.tf.json", json.dumps({"resource": resources}, indent=2))
PY
printf '%-18s %10s %12s %8s %8s  %s\n' input "size (MB)" "peak (MB)" ratio "time (s)" outcome
# Realistic files are made of the fixtures, which are dense with violations: their second row
# runs a single rule that finds nothing there, to show what parsing alone takes beside what the
# findings take.
inputs=()
for input in "$dir"/*/; do
  inputs+=("$input|")
  case $(basename "$input") in
    real-k8s) inputs+=("$input|--select CMP001") ;;
  esac
done
for entry in "${inputs[@]}"; do
  input=${entry%%|*}
  rules=${entry#*|}
  name=$(basename "$input")
  [ -n "$rules" ] && name="$name (parse)"
  target=$input
  [ "$name" = tf-sibling ] && target=$input/small.tf
  size=$(du -sb "$target" | cut -f1)
  report=$(mktemp)
  # shellcheck disable=SC2086
  stats=$( { /usr/bin/time -f '%M %e' "$bin" scan --format json --fail-on none $rules \
    --max-file-size $((bytes * 2)) "$target" > "$report"; } 2>&1 | tail -1)
  peak_kb=${stats% *}
  seconds=${stats#* }
  if grep -q 'memory bound' "$report"; then outcome="refused (over the parse budget)"; else outcome=parsed; fi
  rm -f "$report"
  awk -v n="$name" -v s="$size" -v p="$peak_kb" -v t="$seconds" -v o="$outcome" \
    'BEGIN { printf "%-18s %10.1f %12.1f %7.1fx %8.2f  %s\n", n, s/1048576, p/1024, p*1024/s, t, o }'
done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
