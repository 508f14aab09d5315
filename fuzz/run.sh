#!/usr/bin/env bash
# A short bounded run of every fuzz target, one after another:
# fuzz/run.sh [SECONDS [TARGET...]] (30 s each by default; every target unless some are named). Seeds the corpora first if they are missing. Crashes land in
# fuzz/artifacts/<target>/; see fuzz/README.md to reproduce and minimise them.
#
# One fuzzer process at a time (-jobs=1 -workers=1): the machines are small and shared.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
fuzz=$PWD/fuzz
targets=(parse query load_csv load_json load_jsonl load_parquet load_evtx)
if [ $# -gt 1 ]; then
    targets=("${@:2}")
fi

[ -d fuzz/corpus ] || fuzz/seed-corpora.py

# cargo fuzz needs nightly-only compiler flags (sanitizers); stable accepts them with this.
export RUSTC_BOOTSTRAP=1
cargo fuzz build

failed=()
for target in "${targets[@]}"; do
    echo "== $target: ${seconds}s"
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    # With -jobs, libFuzzer writes the worker's output to fuzz-<n>.log in the current folder.
    # Run from the target's artifact folder, so the log lands there.
    log=fuzz/artifacts/$target/fuzz-0.log
    if ! (cd "fuzz/artifacts/$target" && cargo fuzz run --fuzz-dir "$fuzz" "$target" \
            "$fuzz/corpus/$target" -- \
            -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -jobs=1 -workers=1 \
            >/dev/null 2>&1); then
        failed+=("$target")
    fi
    grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs|==[0-9]+== ERROR|SUMMARY)' "$log" || true
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "findings in: ${failed[*]} (see fuzz/artifacts/<target>/)"
    exit 1
fi
echo "no findings"
