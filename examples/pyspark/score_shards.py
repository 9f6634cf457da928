#!/usr/bin/env python3
"""Scores comment dump shards with Spark, redflag doing the map step through RDD.pipe.

    spark-submit score_shards.py OUT_DIR SHARD... [--redflag PATH] [--partitions N]
    python score_shards.py ...        (pyspark from PyPI runs a local[*] Spark by itself)

Each shard is a JSON Lines dump (one comment per line; Spark reads plain and .gz, not .zst). Spark
splits the shards into partitions, and every partition's lines go through one `redflag score -`
process: its standard input is the partition's lines, its standard output the verdicts, one line per
input line, in order. The verdicts land in OUT_DIR/part-NNNNN, partition by partition, so reading the
part files in name order gives the records in input order, as one `redflag score SHARD...` would.

On a cluster, ship the binary with `spark-submit --files /path/to/redflag` and pass
`--redflag ./redflag`: the model is built into the binary, nothing else is needed on the executors.
"""

import argparse

from pyspark.sql import SparkSession


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", help="output directory (must not exist)")
    ap.add_argument("shards", nargs="+", help="JSON Lines shards, in order")
    ap.add_argument("--redflag", default="redflag", help="the redflag binary on the executors")
    ap.add_argument("--partitions", type=int, default=None,
                    help="minimum number of partitions (default: Spark's)")
    args = ap.parse_args()

    spark = SparkSession.builder.appName("redflag-score").getOrCreate()
    sc = spark.sparkContext
    # One path list, in the order given: partitions follow it, and so does the output.
    lines = sc.textFile(",".join(args.shards), minPartitions=args.partitions)
    # One process per partition; each gets one core, as Spark schedules one task per core.
    verdicts = lines.pipe(f"{args.redflag} score --threads 1 -")
    verdicts.saveAsTextFile(args.out)
    print(f"redflag-score: {lines.getNumPartitions()} partitions written to {args.out}")
    spark.stop()


if __name__ == "__main__":
    main()
