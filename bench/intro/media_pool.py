"""Real media that Debian packages ship, found on this machine (feature-detected), with generated fallbacks.

Every pool is sorted before it is shuffled with a fixed seed, so the same machine gives the same benchmark.
Speech is handed out WITHOUT replacement across the whole benchmark: a recording that appeared in two episodes
would be a second "repeating segment" that the ground truth does not know about.
"""

import glob
import os
import random
import wave

# Photos: dlib's example photos (libdlib-dev, listed in scripts/setup.sh); wallpapers when a package ships them
# (desktop-base, *-wallpapers); the rest is generated (gradients) when none is found.
PHOTO_GLOBS = [
    "/usr/share/doc/libdlib*/examples/faces/*.jpg",
    "/usr/share/doc/libdlib*/examples/mmod_cars_test_image*.jpg",
    "/usr/share/images/desktop-base/*.png",
    "/usr/share/images/desktop-base/*.jpg",
    "/usr/share/backgrounds/**/*.jpg",
    "/usr/share/backgrounds/**/*.png",
    "/usr/share/wallpapers/**/*.jpg",
    "/usr/share/wallpapers/**/*.png",
    "/usr/share/desktop-base/*/wallpaper/contents/images/*.png",
    "/usr/share/desktop-base/*/wallpaper/contents/images/*.svg.png",
]
# A real video clip shipped as a frame sequence (dlib's tracking example, 151 frames of a moving camera).
CLIP_GLOBS = ["/usr/share/doc/libdlib*/examples/video_frames"]
# Recorded speech: festvox-ru (Russian sentences, 16 kHz WAV), asterisk-core-sounds-en (English prompts, GSM),
# pocketsphinx-en-us test recordings if present. espeak-ng fills in when the pool runs dry.
SPEECH_GLOBS = [
    "/usr/share/festival/voices/russian/*/wav/*.wav",
    "/usr/share/asterisk/sounds/en*/*.gsm",
    "/usr/share/asterisk/sounds/en*/*/*.gsm",
    "/usr/share/asterisk/sounds/en*/*.wav",
    "/usr/share/asterisk/sounds/en*/*/*.wav",
]
# Music: game music and sound themes when such packages are installed (none are in scripts/setup.sh; see
# bench/intro/README.md). Without them every theme is synthesised (music.py).
MUSIC_GLOBS = [
    "/usr/share/games/**/*.ogg",
    "/usr/share/hyperrogue/*.ogg",
    "/usr/share/drascula/*.ogg",
    "/usr/share/games/frozen-bubble/snd/*.ogg",
    "/usr/share/asc/data/music/*.ogg",
    "/usr/share/sounds/freedesktop/stereo/*.oga",
]


def _glob_all(patterns):
    """Matching paths, each file once: packages link the same files under several names (asterisk's sounds/en
    and sounds/en_US are alternatives symlinks to en_US_f_Allison), and one recording used twice would be a
    repeating segment the ground truth does not know about."""
    found = {}
    for pattern in patterns:
        for p in glob.glob(pattern, recursive=True):
            if os.path.isfile(p) or os.path.isdir(p):
                found.setdefault(os.path.realpath(p), p)
    return sorted(found)


def _speech_seconds(path):
    """Duration without ffprobe (1000+ files): WAV header, or GSM frame count (33 bytes = 160 samples at 8 kHz)."""
    try:
        if path.endswith(".wav"):
            with wave.open(path) as w:
                return w.getnframes() / float(w.getframerate())
        if path.endswith(".gsm"):
            return os.path.getsize(path) / 33.0 * 0.02
    except (OSError, wave.Error, EOFError):
        return 0.0
    return 0.0


class SpeechPool:
    """Recorded utterances handed out without replacement; espeak-ng sentences when the recordings run out."""

    def __init__(self, seed, min_seconds=1.2, max_seconds=14.0):
        files = [(p, _speech_seconds(p)) for p in _glob_all(SPEECH_GLOBS)]
        files = [(p, d) for p, d in files if min_seconds <= d <= max_seconds]
        random.Random(seed).shuffle(files)
        self.files = files
        self.total = len(files)
        self.next = 0
        self.espeak_count = 0

    def take(self):
        """(path or None, seconds); None = the caller synthesises a sentence with espeak-ng."""
        if self.next < len(self.files):
            item = self.files[self.next]
            self.next += 1
            return item
        self.espeak_count += 1
        return (None, 0.0)


def photos():
    return [p for p in _glob_all(PHOTO_GLOBS) if os.path.getsize(p) > 30000]


def clip_dir():
    for d in _glob_all(CLIP_GLOBS):
        frames = sorted(glob.glob(os.path.join(d, "frame_*.jpg")))
        if len(frames) >= 50:
            first = int(os.path.basename(frames[0])[6:12])
            return {"dir": d, "first": first, "count": len(frames)}
    return None


def music_files():
    return _glob_all(MUSIC_GLOBS)


def font():
    for p in ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
              "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"]:
        if os.path.isfile(p):
            return p
    hits = _glob_all(["/usr/share/fonts/truetype/**/*.ttf"])
    return hits[0] if hits else None


def inventory():
    """What was found, for series.json (the benchmark says what real media it was built from)."""
    pool = SpeechPool(0)
    return {
        "photos": len(photos()),
        "video_clip": clip_dir(),
        "speech_recordings": pool.total,
        "music_files": len(music_files()),
        "font": font(),
    }
