"""Shared by test_publish.py and test_agent_watch.py: the built CLI and test data from ctest's environment, and
the real `datasets` library set up to read published copies locally (its cache in a temp folder, offline).
Import it before anything that imports `datasets`."""
import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

HF_CACHE = tempfile.mkdtemp(prefix="vidseg-published-cache-")
atexit.register(shutil.rmtree, HF_CACHE, True)
os.environ["HF_HOME"] = HF_CACHE
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

from datasets import load_dataset  # noqa: E402

BINARY = os.environ.get("VIDSEG_BINARY")
if not BINARY:
    pytest.skip("VIDSEG_BINARY is not set (run through ctest)", allow_module_level=True)
MEDIA = Path(os.environ["VIDSEG_TEST_MEDIA_DIR"])
SOURCE = Path(os.environ["VIDSEG_SOURCE_DIR"])
EXPORT = SOURCE / "tests" / "data" / "dataset" / "lesson_export.json"


def load_published(folder, cache, rows=4):
    """The published copy is a dataset: the card's configs load with `datasets`, with every row."""
    ds = load_dataset(str(folder), cache_dir=str(cache))["train"]
    assert ds.num_rows == rows and "patterns" in ds.column_names
    return ds
