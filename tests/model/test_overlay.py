import os
import subprocess
import sys

import pytest
from followthemoney import model as ftm_model

from veriga.model import OVERLAY_SCHEMATA, core_schema, model


def test_overlay_extends_the_ftm_singleton():
    assert model is ftm_model
    ad = model["Advertisement"]
    assert "Advertisement" in OVERLAY_SCHEMATA
    assert ad.get("phone").type.name == "phone"
    assert core_schema(ad).name == "Article"
    assert "advertisements" in model["Person"].properties


@pytest.mark.parametrize(
    "code",
    [
        "import followthemoney; m = followthemoney.model; import veriga.model; "
        "assert m.get('Advertisement') is not None",
        "import veriga.model; from followthemoney import model; "
        "assert model.get('Advertisement') is not None",
        "from veriga.ingest import get_importer; from followthemoney import model; "
        "assert model.get('Advertisement') is not None",
    ],
)
def test_overlay_loads_whatever_the_import_order(code):
    env = dict(os.environ)
    env["FTM_MODEL_PATH"] = ftm_model.path
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
