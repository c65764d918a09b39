"""Near-duplicate ad texts found on Spark, for corpora larger than one process holds.

The same steps as :func:`veriga.osint.operations.text_links`, distributed: each partition
shingles its texts and computes their MinHash signatures and band keys with the very numpy
functions the single-process path uses (a text's signature does not depend on the others);
buckets of equal band keys pair each member with the bucket's first and previous member
(window functions, as :func:`veriga.osint.minhash.candidate_pairs` does); the estimate and,
near the threshold, the exact Jaccard are computed in Spark SQL. The pairs and their
similarities come back to the driver, where :func:`veriga.osint.operations.group_ads` joins
them with the shared identifiers. Given the same texts, the result equals ``text_links``'s
exactly: the same pairs, in the same order, with the same similarities.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from veriga.osint.minhash import EMPTY, signatures
from veriga.osint.operations import GroupingParams, TextLinks
from veriga.osint.shingles import normalise, shingle_sets

#: The multiplier of the band key (as in ``candidate_pairs``).
_FNV = np.uint64(0x100000001B3)


def band_keys(sig: NDArray[np.uint32], bands: int) -> NDArray[np.uint64]:
    """Each row's key in each band (``rows x bands``), as ``candidate_pairs`` computes it."""
    rows = sig.shape[1] // bands
    keys = np.zeros((sig.shape[0], bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for b in range(bands):
            band = sig[:, b * rows:(b + 1) * rows].astype(np.uint64)
            key = np.zeros(sig.shape[0], dtype=np.uint64)
            for c in range(rows):
                key = (key * _FNV) ^ band[:, c]
            keys[:, b] = key
    return keys


def _lists(values: NDArray[Any], offsets: NDArray[np.int64]) -> pa.ListArray:
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), pa.array(values))


def _partition(params: GroupingParams) -> Any:
    """The function each Spark partition runs (``mapInArrow``): texts in, signatures, band
    keys and shingle sets out (unsigned values carried in signed columns of the same
    width)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            texts = [normalise(t or "") for t in batch.column("text").to_pylist()]
            flat, offsets = shingle_sets(texts, params.shingle)
            sig = signatures(flat, offsets, params.num_perm)
            keys = band_keys(sig, params.bands)
            n = len(texts)
            live = sig[:, 0] != EMPTY if n else np.zeros(0, dtype=bool)
            yield pa.RecordBatch.from_arrays([
                batch.column("idx"), pa.array(live),
                _lists(sig.view(np.int32).ravel(), np.arange(n + 1) * params.num_perm),
                _lists(keys.view(np.int64).ravel(), np.arange(n + 1) * params.bands),
                _lists(flat.view(np.int32), offsets),
            ], names=["idx", "live", "sig", "keys", "sh"])

    return run


SCHEMA = "idx long, live boolean, sig array<int>, keys array<bigint>, sh array<int>"


def spark_text_links(spark: Any, partitions: int | None = None) -> TextLinks:
    """A ``links`` function for :func:`~veriga.osint.operations.group_ads` that runs on
    ``spark`` (a ``SparkSession``); ``partitions`` splits the texts (default: Spark's
    default parallelism times four)."""

    def links(texts: Sequence[str], params: GroupingParams
              ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        if not texts:
            return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float64)
        with tempfile.TemporaryDirectory(prefix="veriga-osint-") as tmp:
            path = Path(tmp) / "texts.parquet"
            pq.write_table(pa.table({"idx": pa.array(range(len(texts)), pa.int64()),
                                     "text": pa.array(list(texts), pa.string())}), path,
                           row_group_size=50_000)
            return _links(spark, str(path), params,
                          partitions or spark.sparkContext.defaultParallelism * 4)

    return links


def _links(spark: Any, path: str, params: GroupingParams, partitions: int
           ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    texts = spark.read.parquet(path).repartition(partitions, "idx")
    sets = texts.mapInArrow(_partition(params), SCHEMA).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        keyed = (sets.where("live")
                 .select("idx", F.posexplode("keys").alias("band", "key")))
        bucket = Window.partitionBy("band", "key").orderBy("idx")
        ordered = keyed.select("idx", F.first("idx").over(bucket).alias("head"),
                               F.lag("idx").over(bucket).alias("prev"))
        pairs = (ordered.where("prev IS NOT NULL")
                 .select(F.explode(F.array(
                     F.array(F.least("head", "idx"), F.greatest("head", "idx")),
                     F.array(F.least("prev", "idx"), F.greatest("prev", "idx")))).alias("p"))
                 .select(F.col("p")[0].alias("a"), F.col("p")[1].alias("b"))
                 .where("a != b").distinct())
        left = sets.select(F.col("idx").alias("a"), F.col("sig").alias("sa"),
                           F.col("sh").alias("ha"))
        right = sets.select(F.col("idx").alias("b"), F.col("sig").alias("sb"),
                            F.col("sh").alias("hb"))
        scored = (pairs.join(left, "a").join(right, "b")
                  .withColumn("estimate", F.expr(
                      "aggregate(zip_with(sa, sb, (x, y) -> CAST(x = y AS INT)), 0, "
                      f"(acc, v) -> acc + v) / {params.num_perm}"))
                  .withColumn("inter", F.size(F.array_intersect("ha", "hb")))
                  .withColumn("exact", F.expr(
                      "CASE WHEN size(ha) + size(hb) - inter > 0 "
                      "THEN inter / (size(ha) + size(hb) - inter) ELSE 0.0 END"))
                  .withColumn("sim", F.when(
                      F.abs(F.col("estimate") - F.lit(params.threshold)) <= params.margin,
                      F.col("exact")).otherwise(F.col("estimate")))
                  .where(F.col("sim") >= params.threshold)
                  .select("a", "b", "sim"))
        found = scored.toArrow()
    finally:
        sets.unpersist()
    a = found.column("a").to_numpy().astype(np.int64)
    b = found.column("b").to_numpy().astype(np.int64)
    sim = found.column("sim").to_numpy().astype(np.float64)
    order = np.lexsort((b, a))
    return np.stack([a[order], b[order]], axis=1).reshape(-1, 2), sim[order]
