"""The same analyses on Apache Spark (local mode) give the same findings as on DuckDB."""

from __future__ import annotations

import pytest
from worldhelpers import World

from veriga.engine.spark_engine import to_spark_sql
from veriga.finance import run_case
from veriga.finance.detectors import DETECTORS
from veriga.finance.params import Params

pytestmark = pytest.mark.spark


def test_spark_finds_exactly_what_duckdb_finds(small: World) -> None:
    pytest.importorskip("pyspark")
    entities = list(small.ws.entities.list(small.case))
    spark = small.ws.records.engine(small.case, "spark")
    on_spark = run_case(spark, entities)
    on_duck = run_case(small.ws.records.engine(small.case, "duckdb"), entities)
    # the laundering shapes are in the laundering world (test_shapes.py checks them on Spark)
    laundering = {d.kind for d in DETECTORS if d.kind.startswith("shape.")} - {
        "shape.cycle", "shape.scatter_gather"}
    assert {f.kind for f in on_duck.findings} >= {d.kind for d in DETECTORS} - {
        "R5", "R10"} - laundering
    # detectors that do not run on Spark say so (the cycle search exhausts its planner)
    not_on_spark = {d.kind for d in DETECTORS if "spark" not in d.engines}
    assert sorted(on_spark.result.skipped) == sorted(not_on_spark) and "R1" not in not_on_spark
    # the proceeds estimate rests on every flagged flow, the skipped detectors' too
    differs = any(f.kind in not_on_spark for f in on_duck.findings)
    left_out = not_on_spark | ({"proceeds"} if differs else set())
    duck = {f.id: (f.kind, f.score, f.explanation) for f in on_duck.findings
            if f.kind not in left_out}
    assert {f.id: (f.kind, f.score, f.explanation) for f in on_spark.findings
            if f.kind not in left_out} == duck
    if not differs:
        assert on_spark.estimate.total == on_duck.estimate.total


def test_every_detector_transpiles() -> None:
    for detector in DETECTORS:
        stages = [sql for _, sql in detector.stages(Params())] if detector.stages else []
        for sql in [*stages, detector.sql(Params())]:
            spark_sql = to_spark_sql(sql)
            assert "regexp_matches" not in spark_sql.lower()
            assert "strftime" not in spark_sql.lower()
