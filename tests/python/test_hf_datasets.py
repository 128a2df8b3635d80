"""The folders `vidseg dataset build` writes, read with the real Hugging Face `datasets` library.

Runs the built CLI (env VIDSEG_BINARY) on the generated lesson (VIDSEG_TEST_MEDIA_DIR/lesson.mp4, 640x360,
25 fps, 30 s) with tests/data/dataset/lesson_export.json (VIDSEG_SOURCE_DIR), like
tests/integration/dataset_build_test.cpp, then loads the result the ways a user would.

No PyTorch / torchcodec needed: images are decoded (Pillow only), video and audio columns are cast to
decode=False and only their paths are checked (the WAVs are measured with the standard `wave` module).
Run with a Python that has torchcodec (datasets==4.8.4 torch torchcodec Pillow pytest), the full
audiofolder load and its decoding are checked too.

The layout follows what datasets 4.8 accepts (src/vidseg/dataset/metadata_views.hpp):
- metadata.jsonl: `file_name` (the clip) is the only linked column, because a folder builder types every
  `*_file_name` column as its own feature (Video in videofolder) and crashes on a null one; keyframes, crops
  and audio are plain `*_path` columns; the card's `configs` list the clips and metadata.jsonl, without which
  the metadata is never read;
- metadata_audio.jsonl / metadata_images.jsonl: the same rows linked to the WAV / the keyframe, read by
  audiofolder / imagefolder with `metadata_filenames=[...]`. A nested audio/metadata.jsonl would instead be
  counted by the root videofolder load too (every metadata.jsonl under data_dir is read).
- audiofolder in datasets >= 4.1 imports torch + torchcodec to *encode* any Audio value, even a path with
  Audio(decode=False) or a features= override, so without torchcodec the audio view is read through the
  library's streaming loader (same builder, same metadata association, no Arrow encoding); with torchcodec
  installed the full load_dataset is checked and decoded as well.
"""

import atexit
import importlib.util
import os
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import pytest

# Local loading only: never touch the Hub, and keep the cache out of $HOME.
_CACHE = tempfile.mkdtemp(prefix="vidseg-hf-cache-")
atexit.register(shutil.rmtree, _CACHE, True)
os.environ["HF_HOME"] = _CACHE
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

import datasets  # noqa: E402
from datasets import Audio, Dataset, Image, Video, load_dataset  # noqa: E402


def _env_path(name):
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} is not set (run through ctest)", allow_module_level=True)
    return Path(value)


BINARY = _env_path("VIDSEG_BINARY")
MEDIA = _env_path("VIDSEG_TEST_MEDIA_DIR")
SOURCE = _env_path("VIDSEG_SOURCE_DIR")
DATA = SOURCE / "tests" / "data" / "dataset"

# lesson_export.json: (start, annotator) -> expected patterns; anna's rows carry a crop (track box 25% x 50%).
EXPECTED = {
    (2.0, "anna@school.ru"): ["Включение в обучающий процесс П"],
    (10.0, "anna@school.ru"): ["Эмоциональный отклик У"],
    (4.0, "boris@school.ru"): ["Эмоциональная поддержка П"],
    (20.0, "boris@school.ru"): [],
}
FRAME = (640, 360)
CROP = (160, 180)
FPS = 25  # the lesson's frame rate: a clip's WAV is its interval within one frame
AUDIO_META = "metadata_audio.jsonl"
IMAGES_META = "metadata_images.jsonl"
HAS_TORCHCODEC = importlib.util.find_spec("torchcodec") is not None


def _load(*args, cache, **kwargs):
    return load_dataset(*args, cache_dir=str(cache), **kwargs)


def _build(args, out):
    r = subprocess.run([str(BINARY), "dataset", "build", *args, "--out", str(out)], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


@pytest.fixture(scope="module")
def work():
    d = Path(tempfile.mkdtemp(prefix="vidseg-hf-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def single(work):
    """One lesson, no split: <out>/metadata.jsonl, videos/, images/, audio/."""
    return _build(["--video", str(MEDIA / "lesson.mp4"), "--annotations", str(DATA / "lesson_export.json")],
                  work / "single")


@pytest.fixture(scope="module")
def split(work):
    """Two copies of the lesson with --test-fraction 0.5: train/ (lesson_a, 2 rows), test/ (lesson_b, 1 row)."""
    for name in ("lesson_a.mp4", "lesson_b.mp4"):
        shutil.copyfile(MEDIA / "lesson.mp4", work / name)
    return _build(["--video", str(work / "lesson_a.mp4"), "--video", str(work / "lesson_b.mp4"), "--annotations",
                   str(DATA / "two_lessons.json"), "--test-fraction", "0.5"], work / "split")


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def _no_decode(ds):
    """Every Video / Audio column to decode=False (decoding them needs torchcodec / PyTorch)."""
    for name, feature in ds.features.items():
        if isinstance(feature, Video):
            ds = ds.cast_column(name, Video(decode=False))
        elif isinstance(feature, Audio):
            ds = ds.cast_column(name, Audio(decode=False))
    return ds


def _key(row):
    return (float(row["start"]), row["annotator"])


def _resolves(path, folder, subdir, suffix):
    p = Path(path)
    if not p.is_absolute():
        p = folder / p
    p = p.resolve()
    assert p.is_file(), p
    assert p.parent == (folder / subdir).resolve(), p
    assert p.name.endswith(suffix), p
    return p


def _image_sizes(paths):
    """Decode with the library's own Image feature (Pillow): list of (width, height)."""
    ds = Dataset.from_dict({"img": [str(p) for p in paths]}).cast_column("img", Image())
    out = []
    for row in ds:
        img = row["img"]
        assert img.__class__.__module__.startswith("PIL."), type(img)
        out.append(img.size)
    return out


def test_library_version():
    assert datasets.__version__ == "4.8.4"


def test_json_loader_reads_every_column(single, cache):
    """The card's documented fallback: load_dataset("json", data_files="metadata.jsonl")."""
    dd = _load("json", data_files={"train": str(single / "metadata.jsonl")}, cache=cache)
    assert list(dd.keys()) == ["train"]
    ds = dd["train"]
    assert ds.num_rows == 4
    for col in ("patterns", "labels", "descriptions", "choice_initiator", "text_action"):
        assert ds.features[col] == datasets.List(datasets.Value("string")), (col, ds.features[col])
    assert ds.features["start"] == datasets.Value("float64")
    rows = {_key(r): r for r in ds}
    assert set(rows) == set(EXPECTED)
    for key, patterns in EXPECTED.items():
        row = rows[key]
        assert isinstance(row["patterns"], list) and all(isinstance(p, str) for p in row["patterns"])
        assert row["patterns"] == patterns, key
        assert row["source_video"] == "lesson.mp4"
        _resolves(row["file_name"], single, "videos", ".mp4")
        _resolves(row["audio_path"], single, "audio", ".wav")
    assert rows[(20.0, "boris@school.ru")]["labels"] == ["Непонятная метка"]
    # Keyframes and crops decode to PIL images of the frame / box size.
    images = [_resolves(rows[k]["image_path"], single, "images", ".jpg") for k in EXPECTED]
    assert _image_sizes(images) == [FRAME] * 4
    crops = [rows[k]["crop_path"] for k in EXPECTED]
    assert [c is not None for c in crops] == [True, True, False, False]
    assert _image_sizes([_resolves(c, single, "images", "_crop.jpg") for c in crops if c]) == [CROP, CROP]
    # Audio column: cast to Audio(decode=False) resolves to the wav (decoding would need torchcodec).
    abs_audio = ds.map(lambda r: {"audio": str(single / r["audio_path"])}).cast_column("audio", Audio(decode=False))
    for row in abs_audio:
        assert Path(row["audio"]["path"]).is_file()


def test_card_configs_load_split_and_clips(single, cache):
    """load_dataset(<folder>) follows the card's `configs` (videofolder inferred from `videos/*`)."""
    dd = _load(str(single), cache=cache)
    assert list(dd.keys()) == ["train"]
    ds = _no_decode(dd["train"])
    assert ds.num_rows == 4
    names = sorted(Path(r["video"]["path"]).name for r in ds)
    assert names == ["lesson_11_1_0.mp4", "lesson_11_1_1.mp4", "lesson_11_2_0.mp4", "lesson_11_2_1.mp4"]
    for r in ds:
        _resolves(r["video"]["path"], single, "videos", ".mp4")


def test_card_configs_carry_metadata(single, cache):
    ds = _load(str(single), cache=cache)["train"]
    assert "patterns" in ds.column_names
    ds = _no_decode(ds)
    rows = {_key(r): r for r in ds}
    assert {k: r["patterns"] for k, r in rows.items()} == EXPECTED


def test_split_card_configs(split, cache):
    dd = _load(str(split), cache=cache)
    assert sorted(dd.keys()) == ["test", "train"]
    assert dd["train"].num_rows == 2
    assert dd["test"].num_rows == 1
    for name, lesson in (("train", "lesson_a_"), ("test", "lesson_b_")):
        ds = _no_decode(dd[name])
        for r in ds:
            p = _resolves(r["video"]["path"], split / name, "videos", ".mp4")
            assert p.name.startswith(lesson), p


def test_split_json_loader(split, cache):
    dd = _load("json", data_files={s: str(split / s / "metadata.jsonl") for s in ("train", "test")}, cache=cache)
    assert {s: dd[s].num_rows for s in dd} == {"train": 2, "test": 1}
    assert {r["source_video"] for r in dd["train"]} == {"lesson_a.mp4"}
    assert {r["source_video"] for r in dd["test"]} == {"lesson_b.mp4"}
    for s in ("train", "test"):
        for r in dd[s]:
            assert all(isinstance(p, str) for p in r["patterns"]) and r["patterns"]
            _resolves(r["file_name"], split / s, "videos", ".mp4")
        assert _image_sizes([split / s / r["image_path"] for r in dd[s]]) == [FRAME] * dd[s].num_rows


def test_split_videofolder_data_dir(split, cache):
    """videofolder with data_dir: the clip is the only linked file; keyframes and audio are path columns."""
    dd = _load("videofolder", data_dir=str(split), cache=cache)
    assert {s: dd[s].num_rows for s in dd} == {"train": 2, "test": 1}
    for s in ("train", "test"):
        ds = _no_decode(dd[s])
        for r in ds:
            _resolves(r["video"]["path"], split / s, "videos", ".mp4")
            _resolves(r["image_path"], split / s, "images", ".jpg")
            _resolves(r["audio_path"], split / s, "audio", ".wav")
            assert all(isinstance(p, str) for p in r["patterns"]) and r["patterns"]


def test_videofolder_data_dir(single, cache):
    ds = _no_decode(_load("videofolder", data_dir=str(single), cache=cache)["train"])
    assert ds.num_rows == 4
    for r in ds:
        _resolves(r["video"]["path"], single, "videos", ".mp4")
        assert r["patterns"] == EXPECTED[_key(r)]


def test_foto_imagefolder(work, cache):
    """`vidseg dataset foto` (labeled.csv form): imagefolder gives one row per keyframe, patterns as lists."""
    images = work / "foto_src" / "images"
    images.mkdir(parents=True)
    for i in (0, 1, 3):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size=64x48:rate=1:duration={i + 1}",
                        "-frames:v", "1", str(images / f"segment_{i}_keyframe.jpg")], check=True, timeout=60)
    out = work / "foto"
    r = subprocess.run([str(BINARY), "dataset", "foto", "--labeled", str(SOURCE / "tests/data/dataset_foto/labeled.csv"),
                        "--images", str(work / "foto_src"), "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    ds = _load("imagefolder", data_dir=str(out), cache=cache)["train"]
    assert ds.num_rows == 3
    assert [img.size for img in ds["image"]] == [(64, 48)] * 3
    rows = sorted(zip(ds["patterns"], ds["labels"]), key=lambda r: len(r[0]))
    assert rows[0] == (["Работа в команде У"], [])
    assert rows[1] == (["Решение учебной задачи У"], [])
    assert sorted(rows[2][0]) == sorted(["Включение в обучающий процесс П", "Эмоциональный отклик У",
                                         "Эмоциональная поддержка П"])
    assert rows[2][1] == ["Непонятная метка"]


def _wav_seconds(path):
    """Length of a WAV in seconds, checking it is what `dataset build` writes (16 kHz mono PCM)."""
    with wave.open(str(path), "rb") as w:
        assert (w.getframerate(), w.getnchannels()) == (16000, 1), path
        return w.getnframes() / w.getframerate()


def _audio_view(folder, cache):
    """The audio view through the library's audiofolder loader: {split: [row, ...]}.

    Streaming runs the same builder (data files, metadata_audio.jsonl association, `file_name` -> `audio`
    resolved against the metadata file's folder) and hands the rows over as Arrow, which needs no torchcodec.
    """
    dd = _load("audiofolder", data_dir=str(folder), metadata_filenames=[AUDIO_META], streaming=True, cache=cache)
    out = {}
    for split, ids in dd.items():
        assert ids.features["audio"] == Audio(), ids.features  # typed as audio by the loader itself
        assert ids.features["patterns"] == datasets.List(datasets.Value("string"))
        rows = []
        for table in ids.decode(False).with_format("arrow"):  # one-row tables, as the builder made them
            assert set(table.column_names) == set(ids.features), table.column_names
            rows += table.to_pylist()
        out[split] = rows
    return out


def _check_audio_row(row, folder):
    """The row's `audio` is the fragment's WAV, as long as its interval; `video_path` is its clip."""
    assert row["audio"]["bytes"] is None
    wav = _resolves(row["audio"]["path"], folder, "audio", ".wav")
    clip = _resolves(row["video_path"], folder, "videos", ".mp4")
    assert wav.stem == clip.stem, (wav, clip)
    assert "audio_path" not in row and "file_name" not in row
    _resolves(row["image_path"], folder, "images", ".jpg")
    assert abs(_wav_seconds(wav) - (row["end"] - row["start"])) <= 1.0 / FPS, (wav, row["start"], row["end"])
    assert isinstance(row["patterns"], list) and all(isinstance(p, str) for p in row["patterns"])
    return wav


def test_audiofolder_rows_link_the_wavs(single, cache):
    """load_dataset("audiofolder", data_dir=DIR, metadata_filenames=["metadata_audio.jsonl"])."""
    view = _audio_view(single, cache)
    assert list(view) == ["train"]
    rows = view["train"]
    assert len(rows) == 4
    assert {_key(r): r["patterns"] for r in rows} == EXPECTED
    wavs = {_check_audio_row(r, single) for r in rows}
    assert wavs == set((single / "audio").glob("*.wav"))  # every WAV once, nothing else
    assert all(r["source_video"] == "lesson.mp4" for r in rows)
    # The crop column keeps its nulls (a linked *_file_name column would crash the loader on them).
    assert sorted(r["crop_path"] is not None for r in rows) == [False, False, True, True]


def test_audiofolder_split_by_lesson(split, cache):
    view = _audio_view(split, cache)
    assert {s: len(rows) for s, rows in view.items()} == {"train": 2, "test": 1}
    lessons = {}
    for s, rows in view.items():
        for r in rows:
            wav = _check_audio_row(r, split / s)
            assert r["patterns"]
            lessons.setdefault(s, set()).add(r["source_video"])
            assert wav.name.startswith(r["lesson"] + "_"), wav
    assert lessons == {"train": {"lesson_a.mp4"}, "test": {"lesson_b.mp4"}}


def test_audiofolder_full_load(single, cache):
    """The non-streaming load: needs torchcodec in datasets 4.8 even to write the `audio` column."""
    kwargs = dict(data_dir=str(single), metadata_filenames=[AUDIO_META], cache=cache)
    if not HAS_TORCHCODEC:
        with pytest.raises(datasets.exceptions.DatasetGenerationError) as failure:
            _load("audiofolder", **kwargs)
        causes, e = [], failure.value
        while e is not None:
            causes.append(str(e))
            e = e.__cause__ or e.__context__
        assert any("torchcodec" in c for c in causes), causes
        pytest.skip("torchcodec is not installed: the audio view is checked through streaming only")
    ds = _load("audiofolder", **kwargs)["train"]
    assert ds.num_rows == 4
    paths = ds.cast_column("audio", Audio(decode=False))
    for row in paths:
        _check_audio_row(row, single)
    for row in ds:  # decoded: 16 kHz samples as long as the interval
        samples = row["audio"].get_all_samples()
        assert samples.sample_rate == 16000
        assert abs(samples.data.shape[-1] / 16000 - (row["end"] - row["start"])) <= 1.0 / FPS


def test_imagefolder_keyframes(single, split, cache):
    """load_dataset("imagefolder", data_dir=DIR, metadata_filenames=["metadata_images.jsonl"]): decoded keyframes."""
    ds = _load("imagefolder", data_dir=str(single), metadata_filenames=[IMAGES_META], cache=cache)["train"]
    assert ds.num_rows == 4
    assert ds.features["image"] == Image()
    rows = {_key(r): r for r in ds}
    assert {k: r["patterns"] for k, r in rows.items()} == EXPECTED
    for r in rows.values():
        assert r["image"].size == FRAME
        assert "image_path" not in r and "file_name" not in r
        keyframe = _resolves(r["image"].filename, single, "images", ".jpg")  # the file PIL decoded
        assert keyframe.stem == _resolves(r["video_path"], single, "videos", ".mp4").stem
        _resolves(r["audio_path"], single, "audio", ".wav")
    assert _image_sizes([single / r["crop_path"] for r in rows.values() if r["crop_path"]]) == [CROP, CROP]
    dd = _load("imagefolder", data_dir=str(split), metadata_filenames=[IMAGES_META], cache=cache)
    assert {s: dd[s].num_rows for s in dd} == {"train": 2, "test": 1}
    assert {r["source_video"] for r in dd["test"]} == {"lesson_b.mp4"}
    assert [img.size for img in dd["train"]["image"]] == [FRAME, FRAME]


def test_view_files_do_not_change_the_default_loads(single, split, cache):
    """The extra metadata files are invisible to loaders not told their names (rows stay one per fragment)."""
    assert (single / AUDIO_META).is_file() and (single / IMAGES_META).is_file()
    assert _load("videofolder", data_dir=str(single), cache=cache)["train"].num_rows == 4
    assert _load(str(single), cache=cache)["train"].num_rows == 4
    dd = _load("videofolder", data_dir=str(split), cache=cache)
    assert {s: dd[s].num_rows for s in dd} == {"train": 2, "test": 1}
    # Same rows in every view, in the same order.
    root = _load("json", data_files=str(single / "metadata.jsonl"), cache=cache)["train"]
    for name, linked in ((AUDIO_META, "audio_path"), (IMAGES_META, "image_path")):
        view = _load("json", data_files=str(single / name), cache=cache)["train"]
        assert view["file_name"] == root[linked]
        assert view["video_path"] == root["file_name"]
        assert view["patterns"] == root["patterns"]


@pytest.fixture(scope="module")
def transcribed(work):
    """The lesson built with --whisper-backend faster-whisper (build/pyenv-asr; tests/python/requirements-asr.txt)."""
    python = SOURCE / "build" / "pyenv-asr" / "bin" / "python"
    assert python.exists(), f"{python} is missing: run bash scripts/setup.sh"
    return _build(["--video", str(MEDIA / "lesson.mp4"), "--annotations", str(DATA / "lesson_export.json"),
                   "--whisper-backend", "faster-whisper", "--whisper-python", str(python)], work / "transcribed")


def test_transcript_columns_load(transcribed, cache):
    """`transcript` and `language` load as strings with the card's configs (videofolder + metadata)."""
    ds = _no_decode(_load(str(transcribed), cache=cache)["train"])
    assert ds.features["transcript"] == datasets.Value("string")
    assert ds.features["language"] == datasets.Value("string")
    rows = {_key(r): r for r in ds}
    assert set(rows) == set(EXPECTED)
    english = rows[(2.0, "anna@school.ru")]  # espeak-ng: "Good morning class. Today we will learn ..."
    assert english["language"] == "en"
    assert "morning" in english["transcript"].lower()
    for row in rows.values():
        name = Path(row["audio_path"]).stem  # file_name became the `video` column
        assert (transcribed / "transcripts" / f"{name}.txt").read_text(encoding="utf-8").strip() == row["transcript"]
    # The audio view carries the same transcript beside each WAV.
    view = _audio_view(transcribed, cache)["train"]
    assert {_key(r): r["transcript"] for r in view} == {k: r["transcript"] for k, r in rows.items()}
    for r in view:
        assert (transcribed / "transcripts" / f"{Path(r['audio']['path']).stem}.txt").is_file()
