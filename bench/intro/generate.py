#!/usr/bin/env python3
"""Intro-detection benchmark generator: series of episodes with exact ground truth (issue 4 §6).

  generate.py [--small] [--out DIR] [--only NAME,...] [--speed-episode | --speed-only] [--repeat SEED ...] [-v]

Episodes are concatenations of blocks (cold open, logo jingle, recap, intro, sponsor card, body) rendered from
real media that Debian packages ship (media_pool.py: dlib's photos and video frames, festvox-ru and asterisk
speech; music/wallpaper packages when installed) plus ffmpeg-made title cards, lavfi visuals, synthesised music
and espeak-ng speech. Every block lasts whole frames, so the intro's start and end in the episode are exact.
Each series folder gets labels.json (SPEC §2 form A, "HH:MM:SS.mmm"; no intro = start == end) and series.json
(the cases it covers and each episode's parts). Deterministic: every random choice comes from a seeded RNG.
Rendered blocks are cached in OUT/cache by the hash of their spec; a re-run only renders what changed.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import media_pool  # noqa: E402
from render import FPS, Renderer, q  # noqa: E402
from series_defs import full_series, repeat_series, season_series, small_series  # noqa: E402

WORDS = ("river market window garden silver morning captain doctor letter station yellow winter bridge "
         "forest engine teacher island paper question summer orange village mountain kitchen friday "
         "machine pocket harbor museum rocket signal travel number lantern violin desert planet basket "
         "thunder pencil circle diamond camera minute shadow blanket mirror velvet marble canyon").split()
ESPEAK_VOICES = ["en", "en-us", "de", "fr", "es", "it"]
PALETTE = ["#1d3557", "#457b9d", "#e63946", "#2a9d8f", "#e9c46a", "#f4a261", "#264653", "#6d597a", "#b56576",
           "#355070", "#588157", "#bc6c25", "#003049", "#780000", "#669bbc", "#3a0ca3"]


def theme_expr(seed, fast=False):
    """A melody + bass + kick + hat in one aevalsrc expression; every parameter drawn from the seed.
    Commas are escaped for the lavfi graph parser."""
    r = random.Random(seed)
    base = r.uniform(170, 330)
    rate = r.uniform(6.0, 9.0) if fast else r.uniform(2.2, 4.8)
    a, b, c, d = r.choice([1, 5, 7, 11]), r.randrange(12), r.randrange(1, 12), r.randrange(1, 12)
    b2, c2 = r.randrange(12), r.choice([3, 4, 5, 7, 8, 9])
    lead = ("0.22*sin(2*PI*t*%.3f*pow(2,mod(floor(t*%.3f)*%d+floor(t*%.3f/8)*%d+floor(t*%.3f/29)*%d+%d,12)/12))"
            "*(0.35+0.65*exp(-3*mod(t*%.3f,1)))" % (base, rate, a, rate, c, rate, d, b, rate))
    bass = "0.16*sin(2*PI*t*%.3f*pow(2,mod(floor(t*%.3f/4)*%d+%d,12)/12))" % (base / 2, rate, c2, b2)
    kick = "0.28*sin(2*PI*%.1f*t)*exp(-18*mod(t*%.3f/2,1))" % (r.uniform(48, 70), rate)
    hat = "0.07*(2*random(0)-1)*exp(-40*mod(t*%.3f+0.5,1))" % rate
    return "+".join([lead, bass, kick, hat]).replace(",", "\\,")


class Builder:
    def __init__(self, out, small, verbose):
        self.out = out
        self.small = small
        w, h = (320, 180) if small else (384, 216)
        self.photos = media_pool.photos()
        self.clip = media_pool.clip_dir()
        self.music = media_pool.music_files()
        self.canvas = (w, h)
        self.verbose = verbose
        self.renderers = {}
        self.r = self.renderer((w, h))
        self.speech = media_pool.SpeechPool(seed=4 if small else 40)
        self.espeak_n = 0

    def renderer(self, canvas):
        """One renderer (and intermediate size) per canvas; a series may ask for a smaller one (long episodes)."""
        canvas = tuple(canvas)
        if canvas not in self.renderers:
            self.renderers[canvas] = Renderer(os.path.join(self.out, "cache"), canvas[0], canvas[1],
                                              media_pool.font(), self.clip, self.verbose)
        return self.renderers[canvas]

    # ---- content pieces ------------------------------------------------------------------------------------
    def _espeak(self, rng):
        self.espeak_n += 1
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
        path = self.r.espeak(" ".join(words).capitalize() + ".", rng.choice(ESPEAK_VOICES), self.espeak_n)
        with wave.open(path) as w:
            return path, w.getnframes() / float(w.getframerate())

    def speech_layers(self, rng, start, end, gain_db=-2.0):
        """Utterances one after another from start to end (seconds within the block)."""
        layers, t = [], start + rng.uniform(0.2, 1.2)
        while t < end - 1.0:
            path, d = self.speech.take()
            if path is None:
                path, d = self._espeak(rng)
            d = min(d, end - t)
            layers.append({"kind": "file", "path": path, "at": round(t, 3), "dur": round(d, 3), "gain_db": gain_db})
            t += d + rng.uniform(0.25, 1.8)
        return layers

    def music_layer(self, seed, at, dur, gain_db, fast=False, fade=0.0, seek=0.0):
        """seek: start that far into the piece (a cue taken from the middle of a theme)."""
        if self.music:  # a real track when a music package is installed
            path = self.music[seed % len(self.music)]
            return {"kind": "file", "path": path, "seek": float(seed % 30) + seek, "at": at, "dur": dur,
                    "gain_db": gain_db, "fade_in": fade, "fade_out": fade}
        layer = {"kind": "synth", "expr": theme_expr(seed, fast), "at": at, "dur": dur, "gain_db": gain_db,
                 "fade_in": fade, "fade_out": fade}
        if seek:
            layer["seek"] = seek
        return layer

    def scene(self, rng, dur, kinds=("photo", "photo", "life", "gradients", "cellauto")):
        kind = rng.choice(kinds) if self.photos or "photo" not in kinds else "gradients"
        if kind == "photo" and not self.photos:
            kind = "gradients"
        s = {"kind": kind, "dur": dur}
        if kind == "photo":
            s.update(path=rng.choice(self.photos), zoom=[rng.uniform(1.0, 1.3), rng.uniform(1.2, 1.8)],
                     pan=[[rng.random(), rng.random()], [rng.random(), rng.random()]], hue=rng.randrange(-60, 60),
                     sat=rng.uniform(0.6, 1.4), mirror=rng.random() < 0.5)
        elif kind == "life":
            s.update(seed=rng.randrange(1 << 30), ratio=rng.uniform(0.2, 0.6), c1=rng.choice(PALETTE),
                     c2=rng.choice(PALETTE), c3=rng.choice(PALETTE))
        elif kind == "gradients":
            n = rng.randint(2, 5)
            s.update(seed=rng.randrange(1 << 30), n=n, speed=rng.uniform(0.005, 0.05), type=rng.randrange(4),
                     colors=[rng.choice(PALETTE) for _ in range(n)],
                     points=[rng.random(), rng.random(), rng.random(), rng.random()])
        elif kind == "cellauto":
            s.update(seed=rng.randrange(1 << 30), rule=rng.choice([18, 30, 45, 73, 90, 105, 110, 150]),
                     mix=[rng.uniform(0.3, 1), rng.uniform(0.3, 1), rng.uniform(0.3, 1)])
        if rng.random() < 0.3:
            s["caption"] = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5)))
        return s

    def unique_blocks(self, seed, dur, kinds=None):
        """Episode-specific content (cold open or body): scenes of 2-9 s, speech, a noise bed and sometimes
        a music cue of its own. Split into blocks of <= 60 s to keep each ffmpeg call small."""
        rng = random.Random(seed)
        dur = q(dur)
        blocks, left = [], dur
        while left > 0:
            d = q(min(left, 60.0)) if left - 60.0 >= 2.0 or left <= 60.0 else q(left / 2)
            scenes, t = [], 0.0
            if kinds:  # the cheap form (long seasons): one lavfi scene per block, no caption, no music cue
                scenes.append(dict(self.scene(rng, d, kinds), caption=None))
                t = d
            while t < d - 1e-6:
                sd = q(min(rng.uniform(2.0, 9.0), d - t))
                if d - t - sd < 1.0:
                    sd = q(d - t)
                scenes.append(self.scene(rng, sd, kinds) if kinds else self.scene(rng, sd))
                t = q(t + sd)
            layers = [{"kind": "noise", "amp": rng.uniform(0.01, 0.03), "seed": rng.randrange(1 << 30),
                       "color": rng.choice(["brown", "pink"]), "gain_db": 0.0}]
            layers += self.speech_layers(rng, 0.0, d)
            if d > 12 and not kinds and rng.random() < 0.5:
                md = min(d - 2, rng.uniform(8, 25))
                layers.append(self.music_layer(rng.randrange(1 << 30), round(rng.uniform(0, d - md), 3), round(md, 3),
                                               -14.0, fade=1.0))
            blocks.append((self.r.block({"dur": d, "scenes": scenes, "layers": layers}), d))
            left = q(left - d)
        return blocks

    def intro_block(self, series, variant):
        """The recurring intro: a title card, the real video clip and photo scenes, over the series' theme."""
        v = variant
        rng = random.Random(v["seed"])
        d = q(v["dur"])
        title = v.get("title", series["title"])
        bg = rng.choice(PALETTE)
        scenes = []
        if d <= 4.0:  # a title sting: one card
            scenes.append({"kind": "card", "dur": d, "bg": bg, "lines": [[title, 40]], "fade": d >= 2})
        else:
            card = q(min(2.4, d / 4))
            scenes.append({"kind": "card", "dur": card, "bg": bg, "lines": [[title, 40]], "fade": True})
            t = card
            end_card = q(min(2.0, d / 5)) if d >= 8 else 0.0
            use_clip = self.clip is not None and v.get("clip", True)
            while t < d - end_card - 1e-6:
                sd = q(min(rng.uniform(2.5, 6.0), d - end_card - t))
                if d - end_card - t - sd < 1.0:
                    sd = q(d - end_card - t)
                if use_clip and sd <= (self.clip["count"] - 5) / FPS and rng.random() < 0.5:
                    scenes.append({"kind": "clip", "dur": sd, "hue": rng.randrange(-90, 90),
                                   "start_frame": rng.randrange(0, max(1, self.clip["count"] - int(sd * FPS)))})
                else:
                    scenes.append(self.scene(rng, sd, kinds=("photo", "photo", "gradients")))
                t = q(t + sd)
            if end_card:
                scenes.append({"kind": "card", "dur": end_card, "bg": rng.choice(PALETTE),
                               "lines": [[title, 30], [v.get("subtitle", "Season One"), 18]]})
        layers = [self.music_layer(v["seed"] * 7 + 1, 0.0, d, -3.0, fast=d <= 4.0)]
        if v.get("vocals"):  # a sung/spoken line that belongs to the intro (same in every episode)
            vr = random.Random(v["seed"] + 99)
            layers += self.speech_layers(vr, 0.5, d - 0.5, gain_db=-6.0)
        return self.r.block({"dur": d, "scenes": scenes, "layers": layers}), d

    def cue_block(self, series, cue, seed):
        """A recurring sound (issue 16 §2) under pictures of this episode's own: the series' theme (from
        cue["seek"] s), its catchphrase (one recording) or its jingle, over a noise bed."""
        rng = random.Random(seed)
        sound = cue["sound"]
        if sound == "phrase":
            path, pd = series["_phrase"]
            d = q(pd + 1.0)
            layer = {"kind": "file", "path": path, "at": 0.5, "dur": round(pd, 3), "gain_db": -1.0}
        elif sound == "jingle":
            d = q(cue["dur"])
            layer = self.music_layer(series["seed"] * 10 + 9, 0.0, d, -4.0, fast=True, fade=0.2)
        else:
            v = series["variants"][cue.get("variant", "A")]
            d = q(cue["dur"])
            layer = self.music_layer(v["seed"] * 7 + 1, 0.0, d, -3.0, fast=v["dur"] <= 4.0, seek=cue.get("seek", 0.0))
        scenes, t = [], 0.0
        while t < d - 1e-6:
            sd = q(min(rng.uniform(2.0, 5.0), d - t))
            if d - t - sd < 1.0:
                sd = q(d - t)
            scenes.append(self.scene(rng, sd))
            t = q(t + sd)
        noise = {"kind": "noise", "amp": rng.uniform(0.01, 0.03), "seed": rng.randrange(1 << 30), "color": "pink",
                 "gain_db": 0.0}
        return self.r.block({"dur": d, "scenes": scenes, "layers": [noise, layer]}), d

    def content(self, series, seed, dur, cues, kinds=None):
        """Unique content of dur seconds with the recurring-sound cues inserted at their fractions; returns the
        blocks and each cue's (start, end, sound) relative to the part."""
        if not cues:
            return self.unique_blocks(seed, dur, kinds), []
        blocks, placed, t, k = [], [], 0.0, 0
        for cue in sorted(cues, key=lambda c: c["frac"]):
            at = q(max(t, dur * cue["frac"]))
            if at - t >= 2.0:
                blocks += self.unique_blocks(seed * 7 + k, at - t, kinds)
                t = at
            cb = self.cue_block(series, cue, seed * 13 + k)
            blocks.append(cb)
            placed.append((t, q(t + cb[1]), cue["sound"]))
            t = q(t + cb[1])
            k += 1
        blocks += self.unique_blocks(seed * 7 + k, max(2.0, q(dur - t)), kinds)
        return blocks, placed

    def tail_blocks(self, series, path, d, tail, seed):
        """The intro whose last second is the episode's own: "sound" = the end card over a sting of its own,
        "picture" = the theme under a title card of its own."""
        rng = random.Random(seed)
        head = self.r.derive({"src": path, "start": 0.0, "dur": q(d - 1.0)})
        spec = {"src": path, "start": q(d - 1.0), "dur": 1.0}
        if tail == "sound":
            spec["mute"] = True
            spec["layers"] = [self.music_layer(seed * 3 + 5, 0.0, 1.0, -3.0, fast=True)]
        else:
            spec["cover"] = {"bg": rng.choice(PALETTE), "text": "Episode %d" % (seed % 100)}
        return [(head, q(d - 1.0)), (self.r.derive(spec), 1.0)]

    def card_block(self, text, sub, seed, dur, speech=False, fast=True):
        rng = random.Random(seed)
        d = q(dur)
        scenes = [{"kind": "card", "dur": d, "bg": rng.choice(PALETTE), "fg": "white",
                   "lines": [[text, 34]] + ([[sub, 18]] if sub else [])}]
        layers = [self.music_layer(seed, 0.0, d, -8.0, fast=fast)]
        if speech:
            layers += self.speech_layers(rng, 0.2, d, gain_db=-1.0)
        return self.r.block({"dur": d, "scenes": scenes, "layers": layers}), d

    # ---- series --------------------------------------------------------------------------------------------
    def build_series(self, series):
        self.r = self.renderer(series.get("canvas", self.canvas))
        folder = os.path.join(self.out, series["name"])
        os.makedirs(folder, exist_ok=True)
        intros = {name: self.intro_block(series, v) for name, v in series["variants"].items()}
        jingle = self.card_block("STUDIO NORTH", None, series["seed"] + 5, series["jingle"]) \
            if series.get("jingle") else None
        sponsor = self.card_block("Brought to you by", "ACME Tea", series["seed"] + 6, series["sponsor"], speech=True,
                                  fast=False) if series.get("sponsor") else None
        recap_card = self.card_block("Previously on", series["title"], series["seed"] + 7, 1.6) \
            if any(e.get("recap") for e in series["episodes"]) else None
        if any(c["sound"] == "phrase" for e in series["episodes"] for c in e.get("cues", [])):
            path, pd = self.speech.take()
            if path is None:
                path, pd = self._espeak(random.Random(series["seed"]))
            series["_phrase"] = (path, pd)
        labels, episodes, prev_body = {}, [], []
        for i, ep in enumerate(series["episodes"], start=1):
            seed = series["seed"] * 1000 + i
            parts, t = [], 0.0

            def add(kind, blocks):
                nonlocal t
                start = t
                for path, d in blocks:
                    parts.append(path)
                    t = q(t + d)
                return {"kind": kind, "start": round(start, 3), "end": round(t, 3)}

            info = {"file": None, "parts": []}
            if jingle and ep.get("jingle", True):
                info["parts"].append(add("logo_jingle", [jingle]))
            if ep.get("recap") and prev_body:
                rng = random.Random(seed + 3)
                pieces = [recap_card]
                for _ in range(ep["recap"]):
                    src, sd = rng.choice(prev_body)
                    cut = q(min(sd - 0.5, rng.uniform(5.0, 9.0)))
                    st = q(rng.uniform(0, sd - cut))
                    pieces.append((self.r.derive({"src": src, "start": st, "dur": cut}), cut))
                info["parts"].append(add("recap", pieces))
            cues = ep.get("cues", [])

            def add_content(kind, part_seed, dur, where):
                start = t
                blocks, placed = self.content(series, part_seed, dur, [c for c in cues if c["where"] == where],
                                              series.get("scene_kinds"))
                part = add(kind, blocks)
                for a, b, sound in placed:
                    info["parts"].append({"kind": "recurring_" + sound, "start": round(start + a, 3),
                                          "end": round(start + b, 3)})
                return part, blocks

            if ep.get("cold", 0) > 0:
                info["parts"].append(add_content("cold_open", seed * 10 + 1, ep["cold"], "cold")[0])
            intro = None
            if ep.get("intro"):
                path, d = intros[ep["intro"]]
                if ep.get("cut") or ep.get("speech_over"):
                    cut = q(ep.get("cut") or d)
                    spec = {"src": path, "start": 0.0, "dur": cut, "fade_out": 0.3 if cut < d else 0.0}
                    if ep.get("speech_over"):
                        spec["layers"] = self.speech_layers(random.Random(seed + 5), 0.0, cut,
                                                            gain_db=ep["speech_over"])
                    path, d = self.r.derive(spec), cut
                if ep.get("tail"):
                    intro = add("intro", self.tail_blocks(series, path, d, ep["tail"], seed))
                    intro["last_second"] = ep["tail"]
                else:
                    intro = add("intro", [(path, d)])
                intro["variant"] = ep["intro"]
                if ep.get("cut"):
                    intro["shortened_from"] = q(series["variants"][ep["intro"]]["dur"])
                if ep.get("speech_over"):
                    intro["speech_over_db"] = ep["speech_over"]
                info["parts"].append(intro)
            if sponsor and ep.get("sponsor"):
                info["parts"].append(add("sponsor_card", [sponsor]))
            part, body = add_content("body", seed * 10 + 2, ep["body"], "body")
            info["parts"].append(part)
            prev_body = body
            profile = dict(series["profile"], **ep.get("profile", {}))
            name = "ep%02d.%s" % (i, profile.get("ext", "mp4"))
            out = os.path.join(folder, name)
            spec_path = out + ".spec"
            spec_text = json.dumps({"blocks": [os.path.basename(p) for p in parts], "profile": profile})
            if not (os.path.exists(out) and os.path.exists(spec_path) and open(spec_path).read() == spec_text):
                self.r.episode(parts, profile, out)
                with open(spec_path, "w") as f:
                    f.write(spec_text)
            info.update(file=name, duration=round(t, 3), profile=profile,
                        intro=[intro["start"], intro["end"]] if intro else None)
            episodes.append(info)
            labels[name] = ({"start": tc(intro["start"]), "end": tc(intro["end"])} if intro
                            else {"start": "00:00:00", "end": "00:00:00"})
        write_json(os.path.join(folder, "labels.json"), labels)
        desc = {k: series[k] for k in ("name", "title", "cases", "description")}
        if "repeat_seed" in series:
            desc["repeat_seed"] = series["repeat_seed"]
        desc["variants"] = {k: {"dur": q(v["dur"])} for k, v in series["variants"].items()}
        desc["episodes"] = episodes
        write_json(os.path.join(folder, "series.json"), desc)
        # The episode files are the only media in the folder (vidseg intro detect --dir reads every media file).
        return folder

    def speed_episodes(self, minutes=45):
        self.r = self.renderer(self.canvas)
        """Two long low-res episodes (640x360, audio) for the speed comparison (issue 4 §7): detection needs at
        least two episodes; the time per episode is the time for both / 2. Their content need not recur."""
        folder = os.path.join(self.out, "speed")
        os.makedirs(folder, exist_ok=True)
        outs = []
        for tag, seed in (("a", 4545), ("b", 4546)):
            out = os.path.join(folder, "episode_%dmin_%s.mp4" % (minutes, tag))
            outs.append(out)
            if os.path.exists(out):
                continue
            d = minutes * 60
            # Every tool compared reads only the first 15 minutes: those have moving pictures and music over
            # noise; the remaining 30 minutes are a still picture over a quiet tone (cheap to encode).
            head, tail = 900, d - 900
            tmp = os.path.join(self.r.cache, "part-" + os.path.basename(out))
            cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                   "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=%d" % head,
                   "-f", "lavfi", "-i", "aevalsrc=%s:s=44100:d=%d" % (theme_expr(seed), head),
                   "-f", "lavfi", "-i", "anoisesrc=d=%d:c=pink:r=44100:a=0.05:seed=%d" % (head, seed),
                   "-f", "lavfi", "-i", "color=c=#203040:s=640x360:r=25:d=%d" % tail,
                   "-f", "lavfi", "-i", "sine=f=%d:r=44100:d=%d" % (200 + seed % 100, tail),
                   "-filter_complex", "[1:a][2:a]amix=inputs=2:normalize=0[ha];[4:a]volume=-20dB[ta];"
                   "[0:v][ha][3:v][ta]concat=n=2:v=1:a=1[v][a]", "-map", "[v]", "-map", "[a]",
                   "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-g", "50", "-threads", "2",
                   "-c:a", "aac", "-b:a", "96k", "-ac", "2", "-movflags", "+faststart", tmp]
            subprocess.run(cmd, check=True)
            os.replace(tmp, out)
        return outs


def tc(seconds):
    ms = int(round(seconds * 1000))
    return "%02d:%02d:%02d.%03d" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, ms % 1000)


def write_json(path, doc):
    tmp = path + ".part"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="CI-sized: 3 series x 4 episodes of ~45 s")
    ap.add_argument("--out", help="output dir (default bench/work/intro/{small,full})")
    ap.add_argument("--only", help="comma-separated series names")
    ap.add_argument("--speed-episode", action="store_true", help="also make the two 45-min speed episodes")
    ap.add_argument("--speed-only", action="store_true", help="only the speed episodes (implies --speed-episode)")
    ap.add_argument("--season", type=int, metavar="N", help="only one long season of N episodes (speed benchmark)")
    ap.add_argument("--season-seed", type=int, default=301, help="seed of the --season series (another season)")
    ap.add_argument("--repeat", type=int, metavar="SEED", action="append",
                    help="only the repeated-sound series of issue 16 §2 drawn from SEED (repeatable: several "
                         "seeds, series names suffixed _sSEED)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    out = args.out or os.path.join(here, "..", "work", "intro", "small" if args.small else "full")
    out = os.path.abspath(out)
    os.makedirs(out, exist_ok=True)
    b = Builder(out, args.small, args.verbose)
    defs = small_series() if args.small else full_series()
    if args.season:
        defs = [season_series(args.season, args.season_seed)]
    if args.repeat:
        defs = []
        for rs in args.repeat:
            for d in repeat_series(rs):
                d["name"] += "_s%d" % rs
                defs.append(d)
    if args.only:
        keep = set(args.only.split(","))
        defs = [s for s in defs if s["name"] in keep]
    t0 = time.time()
    names = []
    for s in defs if not args.speed_only else []:
        t1 = time.time()
        b.build_series(s)
        names.append(s["name"])
        print("generated %-32s %d episodes (%.0f s)" % (s["name"], len(s["episodes"]), time.time() - t1), flush=True)
    if args.speed_only:
        print("speed episodes:", " ".join(b.speed_episodes()), flush=True)
        return
    inv = media_pool.inventory()
    inv["speech_recordings_used"] = min(b.speech.next, b.speech.total)
    inv["espeak_sentences"] = b.espeak_n
    write_json(os.path.join(out, "benchmark.json"), {"series": names, "media": inv, "small": args.small})
    if args.speed_episode or args.speed_only:
        print("speed episodes:", " ".join(b.speed_episodes()), flush=True)
    rendered = sum(r.rendered for r in b.renderers.values())
    print("generated %d series in %.0f s (%d files rendered) -> %s" % (len(names), time.time() - t0, rendered, out))


if __name__ == "__main__":
    main()
