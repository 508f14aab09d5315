"""The BITS hunt (queries/bits/bits_jobs.kql) rewritten for DuckDB, Polars and DataFusion.

Run as `python peers.py ENGINE FORMAT DIR NOW`: loads DIR/<Table>.<format>, runs the hunt
end to end and prints the number of result rows. bench/hunt.py runs it once per measurement
in a fresh process, so the time and peak memory are those of one cold run.

Each rewrite does what the KQL does: keep the last 90 days, remove the obfuscation characters
with a regex replace, keep the rows whose cleaned command lines match either BITS pattern,
join the three sides with two full outer joins on TimeGenerated (the second on the first
side's time, as Kusto names it), coalesce the paired columns and fetch the result.
"""

import sys
from datetime import datetime, timedelta, timezone

BITS_CMD = r"(.*)bitsadmin(.exe)?(.+)(download |upload )(.*)"
BITS_PWSH = (
    r"(.*)Start-BitsTransfer(.+)(((destination |source ).+){2}|Asynchronous |TransferType )(.*)"
)
CLEAR_OBF = r'(\^|(")+|\$|%|\+|("\+"))'
LOOKBACK = timedelta(days=90)

DEVICE_COLUMNS = [
    "TimeGenerated", "DeviceName", "AccountName", "ProcessCommandLine",
    "InitiatingProcessCommandLine", "InitiatingProcessAccountName", "InitiatingProcessAccountUpn",
]
SECURITY_COLUMNS = ["TimeGenerated", "Computer", "AccountName", "CommandLine"]


def sql_hunt(source, replace, match, since):
    """The hunt in SQL; `source(table)` gives a FROM item, `replace`/`match` the functions.

    Column names are quoted: DataFusion folds unquoted names to lower case.
    """

    def cleaned(column):
        return replace.format(f'"{column}"')

    def matches(column):
        column = f'"{column}"'
        return f"({match.format(column, BITS_CMD)} OR {match.format(column, BITS_PWSH)})"

    def coalesce(name, *columns):
        return f'coalesce({", ".join(columns)}) AS "{name}"'

    def device(table):
        return f"""
  SELECT *, {cleaned('InitiatingProcessCommandLine')} AS "InitiatingDeobf_CommandLine",
         {cleaned('ProcessCommandLine')} AS "Deobf_CommandLine"
  FROM {source(table)} WHERE "TimeGenerated" >= {since}"""

    outputs = ",\n  ".join([
        coalesce("ProcessCommandLine", 's."CommandLine"', 'dp."ProcessCommandLine"',
                 'de."ProcessCommandLine"'),
        coalesce("InitiatingProcessCommandLine", 'dp."InitiatingProcessCommandLine"',
                 'de."InitiatingProcessCommandLine"'),
        coalesce("InitiatingDeobf_CommandLine", 'dp."InitiatingDeobf_CommandLine"',
                 'de."InitiatingDeobf_CommandLine"'),
        coalesce("Deobf_CommandLine", 's."Deobf_CommandLine"', 'dp."Deobf_CommandLine"',
                 'de."Deobf_CommandLine"'),
        coalesce("TimeGenerated", 's."TimeGenerated"', 'dp."TimeGenerated"',
                 'de."TimeGenerated"'),
        coalesce("DeviceName", 'dp."DeviceName"', 'de."DeviceName"', 's."Computer"'),
        coalesce("AccountName", 's."AccountName"', 'dp."AccountName"', 'de."AccountName"'),
        coalesce("InitiatingProcessAccountName", 'dp."InitiatingProcessAccountName"',
                 'de."InitiatingProcessAccountName"'),
        coalesce("InitiatingProcessAccountUpn", 'dp."InitiatingProcessAccountUpn"',
                 'de."InitiatingProcessAccountUpn"'),
    ])
    return f"""
WITH se AS (
  SELECT *, {cleaned('CommandLine')} AS "Deobf_CommandLine"
  FROM {source('SecurityEvent')} WHERE "TimeGenerated" >= {since}
), s AS (SELECT * FROM se WHERE {matches('Deobf_CommandLine')}),
dpe AS ({device('DeviceProcessEvents')}),
dp AS (SELECT * FROM dpe WHERE {matches('InitiatingDeobf_CommandLine')}
       OR {matches('Deobf_CommandLine')}),
dee AS ({device('DeviceEvents')}),
de AS (SELECT * FROM dee WHERE {matches('InitiatingDeobf_CommandLine')}
       OR {matches('Deobf_CommandLine')})
SELECT
  {outputs}
FROM s
FULL OUTER JOIN dp ON s."TimeGenerated" = dp."TimeGenerated"
FULL OUTER JOIN de ON s."TimeGenerated" = de."TimeGenerated"
"""


def duckdb_hunt(fmt, folder, now):
    import duckdb

    def source(table):
        path = f"{folder}/{table}.{fmt}"
        if fmt == "parquet":
            return f"read_parquet('{path}')"
        return f"read_csv('{path}', header=true, timestampformat='%Y-%m-%dT%H:%M:%S.%gZ')"

    since = f"TIMESTAMPTZ '{(now - LOOKBACK).isoformat()}'"
    query = sql_hunt(
        source, "regexp_replace({0}, '" + CLEAR_OBF.replace("'", "''") + "', '', 'g')",
        "regexp_matches({0}, '{1}')", since)
    return len(duckdb.connect().sql(query).fetchall())


def datafusion_hunt(fmt, folder, now):
    import datafusion

    context = datafusion.SessionContext()
    for table in ("SecurityEvent", "DeviceProcessEvents", "DeviceEvents"):
        path = f"{folder}/{table}.{fmt}"
        if fmt == "parquet":
            context.register_parquet(table, path)
        else:
            context.register_csv(table, path, has_header=True)
    since = f"to_timestamp('{(now - LOOKBACK).isoformat()}')"
    query = sql_hunt(
        lambda table: table,  # registered names are folded to lower case
        "regexp_replace({0}, '" + CLEAR_OBF.replace("'", "''") + "', '', 'g')",
        "regexp_like({0}, '{1}')", since)
    return sum(batch.num_rows for batch in context.sql(query).collect())


def polars_hunt(fmt, folder, now):
    import polars as pl

    def scan(table, columns):
        path = f"{folder}/{table}.{fmt}"
        if fmt == "parquet":
            frame = pl.scan_parquet(path)
        else:
            frame = pl.scan_csv(path, infer_schema=False)
            frame = frame.with_columns(
                pl.col("TimeGenerated").str.to_datetime(
                    "%Y-%m-%dT%H:%M:%S%.fZ", time_unit="us", time_zone="UTC"))
        return frame.select(columns).filter(pl.col("TimeGenerated") >= now - LOOKBACK)

    def matches(column):
        return pl.col(column).str.contains(BITS_CMD) | pl.col(column).str.contains(BITS_PWSH)

    def deobf(column):
        return pl.col(column).str.replace_all(CLEAR_OBF, "")

    def device(table, prefix):
        frame = scan(table, DEVICE_COLUMNS).with_columns(
            deobf("InitiatingProcessCommandLine").alias("InitiatingDeobf_CommandLine"),
            deobf("ProcessCommandLine").alias("Deobf_CommandLine"),
        ).filter(matches("InitiatingDeobf_CommandLine") | matches("Deobf_CommandLine"))
        return frame.select(pl.all().name.prefix(prefix))

    s = scan("SecurityEvent", SECURITY_COLUMNS).with_columns(
        deobf("CommandLine").alias("Deobf_CommandLine")
    ).filter(matches("Deobf_CommandLine")).select(pl.all().name.prefix("s_"))
    dp = device("DeviceProcessEvents", "dp_")
    de = device("DeviceEvents", "de_")
    joined = s.join(dp, left_on="s_TimeGenerated", right_on="dp_TimeGenerated",
                    how="full", coalesce=False)
    joined = joined.join(de, left_on="s_TimeGenerated", right_on="de_TimeGenerated",
                         how="full", coalesce=False)
    result = joined.select(
        pl.coalesce("s_CommandLine", "dp_ProcessCommandLine", "de_ProcessCommandLine")
        .alias("ProcessCommandLine"),
        pl.coalesce("dp_InitiatingProcessCommandLine", "de_InitiatingProcessCommandLine")
        .alias("InitiatingProcessCommandLine"),
        pl.coalesce("dp_InitiatingDeobf_CommandLine", "de_InitiatingDeobf_CommandLine")
        .alias("InitiatingDeobf_CommandLine"),
        pl.coalesce("s_Deobf_CommandLine", "dp_Deobf_CommandLine", "de_Deobf_CommandLine")
        .alias("Deobf_CommandLine"),
        pl.coalesce("s_TimeGenerated", "dp_TimeGenerated", "de_TimeGenerated")
        .alias("TimeGenerated"),
        pl.coalesce("dp_DeviceName", "de_DeviceName", "s_Computer").alias("DeviceName"),
        pl.coalesce("s_AccountName", "dp_AccountName", "de_AccountName").alias("AccountName"),
        pl.coalesce("dp_InitiatingProcessAccountName", "de_InitiatingProcessAccountName")
        .alias("InitiatingProcessAccountName"),
        pl.coalesce("dp_InitiatingProcessAccountUpn", "de_InitiatingProcessAccountUpn")
        .alias("InitiatingProcessAccountUpn"),
    )
    return result.collect().height


ENGINES = {"duckdb": duckdb_hunt, "polars": polars_hunt, "datafusion": datafusion_hunt}


def main():
    engine, fmt, folder, now = sys.argv[1:5]
    moment = datetime.fromisoformat(now.replace("Z", "+00:00")).astimezone(timezone.utc)
    print(ENGINES[engine](fmt, folder, moment))


if __name__ == "__main__":
    main()
