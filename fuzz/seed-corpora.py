#!/usr/bin/env python3
"""Builds the fuzz corpora in fuzz/corpus/<target>/ from the project's own queries and data.

- parse, query: the .kql files under queries/ and the test data, the parser's golden inputs,
  a spread of the `query` fields of tests/conformance/*.json, and fuzz/seeds/queries/.
- load_csv, load_json, load_jsonl: the data files under queries/ and crates/*/tests/data;
  JSON arrays are also written as JSON Lines, and large files are cut down.
- load_evtx: the one-chunk event logs under queries/ (the larger ones are left out).
- load_parquet: files written by examples/parquet_seeds.rs (the repository holds no Parquet),
  so this needs cargo; pass --no-parquet to skip it.

Seeds are named by the SHA-1 of their bytes, as libFuzzer names the inputs it adds, so running
the script again adds nothing twice. Usage: fuzz/seed-corpora.py [--no-parquet]
"""

import hashlib
import json
import pathlib
import subprocess
import sys

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "corpus"

# Larger seeds make every mutation slower, and the query target skips texts over 4 KiB.
MAX_TEXT = 8 * 1024
MAX_QUERY = 4 * 1024
# How many conformance queries to take, spread evenly over each file's cases.
CONFORMANCE_QUERIES = 300
DATA_DIRS = [ROOT / "queries"] + sorted(ROOT.glob("crates/*/tests/data"))


def add(target, data):
    """Writes one seed, unless the target already has it."""
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def files(extensions):
    for directory in DATA_DIRS:
        for path in sorted(directory.rglob("*")):
            if path.is_file() and path.suffix.lower() in extensions:
                yield path


def conformance_queries():
    cases = []
    for path in sorted((ROOT / "tests" / "conformance").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        # Case files are arrays of cases; the others (ratchet.json) hold no queries.
        if isinstance(document, list):
            cases.extend(c["query"] for c in document if isinstance(c, dict) and "query" in c)
    step = max(1, len(cases) // CONFORMANCE_QUERIES)
    return cases[::step]


def seed_queries():
    texts = [p.read_bytes() for p in files({".kql"})]
    golden = ROOT / "crates" / "kql-parser" / "tests" / "golden"
    texts += [p.read_bytes() for p in sorted(golden.glob("*.kql"))]
    texts += [p.read_bytes() for p in sorted((FUZZ / "seeds" / "queries").glob("*"))]
    texts += [q.encode("utf-8") for q in conformance_queries()]
    for text in texts:
        if len(text) <= MAX_TEXT:
            add("parse", text)
        if len(text) <= MAX_QUERY:
            add("query", text)


def cut_lines(data, limit=MAX_TEXT):
    """The first lines of a text file that fit in `limit` bytes."""
    if len(data) <= limit:
        return data
    return data[: data.rfind(b"\n", 0, limit) + 1]


def shrink(value, keep=3):
    """A JSON value with every array cut to its first `keep` elements: the shape stays."""
    if isinstance(value, list):
        return [shrink(v, keep) for v in value[:keep]]
    if isinstance(value, dict):
        return {k: shrink(v, keep) for k, v in value.items()}
    return value


def seed_data():
    for path in files({".csv"}):
        add("load_csv", cut_lines(path.read_bytes()))
    for path in files({".jsonl", ".ndjson"}):
        add("load_jsonl", cut_lines(path.read_bytes()))
    for path in files({".json"}):
        data = path.read_bytes()
        try:
            document = json.loads(data)
        except ValueError:
            add("load_json", data[:MAX_TEXT])  # a broken file is a seed too
            continue
        if len(data) > MAX_TEXT:
            data = json.dumps(shrink(document), indent=1).encode("utf-8")
        add("load_json", data)
        if isinstance(document, list):
            lines = [json.dumps(row) for row in shrink(document, 20)]
            add("load_jsonl", cut_lines(("\n".join(lines) + "\n").encode("utf-8")))


def seed_evtx():
    # The one-chunk logs only: a 64 KiB chunk is already a large input for libFuzzer.
    for path in files({".evtx"}):
        if path.stat().st_size <= 4096 + 65536:
            add("load_evtx", path.read_bytes())


def seed_parquet():
    out = CORPUS / "load_parquet"
    out.mkdir(parents=True, exist_ok=True)
    command = ["cargo", "run", "--quiet", "--manifest-path", str(FUZZ / "Cargo.toml"),
               "--example", "parquet_seeds", "--", str(out)]
    subprocess.run(command, check=True)


def main():
    seed_queries()
    seed_data()
    seed_evtx()
    if "--no-parquet" not in sys.argv[1:]:
        seed_parquet()
    for target in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        print(f"{target.name}: {sum(1 for _ in target.iterdir())} seeds")


if __name__ == "__main__":
    main()
