# Shared by the benchmark scripts: `source bench/common.sh`.

# Median and best of RUNS runs of a command, in milliseconds: `time_runs LABEL COMMAND...`.
time_runs() {
  local label=$1 times=() start end sorted
  shift
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$@" > /dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  echo "$label: median $(echo "$sorted" | awk "NR == int(($runs + 1) / 2)") ms, best $(echo "$sorted" | head -1) ms"
}
