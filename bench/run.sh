#!/usr/bin/env bash
# The BITS hunt benchmark, run by hand (not in CI): kql against DuckDB, Polars and DataFusion
# on the same generated files. See bench/README.md.
#
#   bench/run.sh                      # 100k and 1M rows per table, 3 runs each
#   SIZES=100000,1000000,10000000 RUNS=5 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-100000,1000000}
RUNS=${RUNS:-3}
FORMATS=${FORMATS:-parquet,csv}
ENGINES=${ENGINES:-kql,kql-1,baseline,baseline-1,duckdb,polars,datafusion}
DATA=${DATA:-bench/data}
VENV=${VENV:-bench/.venv}
TARGET=${CARGO_TARGET_DIR:-target}

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet duckdb polars datafusion
fi

cargo build --release -p kql-cli -p kql-datagen --bins

for size in ${SIZES//,/ }; do
    if [ ! -f "$DATA/$size/parquet/DeviceEvents.parquet" ] ||
        [ ! -f "$DATA/$size/csv/DeviceEvents.csv" ]; then
        echo "generating $size rows per table in $DATA/$size"
        "$TARGET/release/kql-datagen" --rows "$size" --seed 1 --out "$DATA/$size"
    fi
done

"$VENV/bin/python" bench/hunt.py --data "$DATA" --sizes "$SIZES" --runs "$RUNS" \
    --formats "$FORMATS" --engines "$ENGINES" --kql "$TARGET/release/kql" "$@"
