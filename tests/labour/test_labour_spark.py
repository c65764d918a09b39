"""The labour family on Spark: the same findings as on DuckDB for the hand-made case (the
chain SQL transpiled from DuckDB's dialect)."""

from __future__ import annotations

import pytest
from labourcase import world

from veriga import analysis
from veriga.engine import get_engine
from veriga.labour.family import FAMILY


@pytest.mark.spark
def test_spark_gives_the_same_findings_as_duckdb() -> None:
    pytest.importorskip("pyspark")
    runs = []
    for name in ("duckdb", "spark"):
        ents, inv = world()
        engine = get_engine(name)
        try:
            engine.register_arrow("invoice", inv)
            run = FAMILY.run(analysis.Inputs("t", engine, lambda s, e=ents: e, name),
                             FAMILY.params())
        finally:
            engine.close()
        runs.append(run)
    duck, spark = runs
    assert any(f.kind == "labour.chain" for f in duck.findings)
    assert sorted((f.id, f.score) for f in duck.findings) == \
        sorted((f.id, f.score) for f in spark.findings)
    assert {f.id: f.details for f in duck.findings} == {f.id: f.details for f in spark.findings}
