"""The benchmark's series: which case of issue 4 §1 each covers, and each episode's layout (seconds).

Episode keys: cold (cold-open length before the intro), intro (variant name or None = no intro), cut (intro
shortened to this many seconds), speech_over (dB of episode speech mixed over the intro), recap (number of
excerpts of the previous episode), sponsor (sponsor card after the intro), jingle (False = no logo jingle),
body (seconds after the intro), profile (overrides of the series' encoding profile).
"""

H264 = {"w": 640, "h": 360, "fps": 25, "vcodec": "libx264", "crf": 26, "preset": "ultrafast", "acodec": "aac", "ab": "96k", "ext": "mp4"}

REENCODED = [
    {"preset": "veryfast"},
    {"w": 854, "h": 480, "fps": 30, "vcodec": "libx265", "crf": 28, "preset": "ultrafast", "gain_db": 6.0, "ab": "128k", "ext": "mkv"},
    {"w": 320, "h": 240, "fps": "24000/1001", "vcodec": "mpeg4", "vb": "400k", "acodec": "libmp3lame", "ab": "64k",
     "ac": 1, "gain_db": -12.0, "ext": "avi"},
    {"w": 480, "h": 270, "fps": 15, "vcodec": "libvpx", "vb": "500k", "acodec": "libvorbis", "ab": "80k",
     "ext": "webm"},
    {"w": 1280, "h": 720, "fps": 50, "vcodec": "libx264", "crf": 32, "preset": "ultrafast", "acodec": "libopus",
     "ab": "48k", "ar": 48000, "ext": "mkv"},
    {"w": 256, "h": 144, "fps": 12, "vcodec": "libx264", "crf": 38, "ab": "32k", "ac": 1, "loudnorm": -23.0,
     "ext": "mp4"},
]


def _eps(colds, body, **common):
    return [dict(cold=c, body=body, intro="A", **common) for c in colds]


def full_series():
    s = []

    s.append(dict(
        name="s01_title_card_3s", title="NIGHT SHIFT", seed=101, profile=H264,
        cases=["short intro 1-15 s", "title card only", "cold open of varying length"],
        description="A 3-s title card with a fast musical sting after a cold open of 0-20 s.",
        variants={"A": {"dur": 3.0, "seed": 1011}},
        episodes=_eps([0, 6.4, 12.0, 2.2, 19.6, 9.6], 60)))

    eps = _eps([0, 0, 4.2, 0, 7.52, 1.0], 64)
    eps[4]["intro"] = None
    s.append(dict(
        name="s02_music_8s_one_without", title="BLUE HARBOR", seed=102,
        profile=dict(H264, fps=30),
        cases=["short intro 1-15 s", "music intro with video clip", "episode without intro"],
        description="An 8-s intro (title card, real video clip, photos, theme music) at or near the start; "
                    "episode 5 has no intro.",
        variants={"A": {"dur": 8.0, "seed": 1021}},
        episodes=eps))

    eps = _eps([15.0, 32.52, 8.0, 44.0, 21.0, 27.28], 60)
    for e, db in zip(eps, [-2, -4, 0, -6, -3, -1]):
        e["speech_over"] = db
    s.append(dict(
        name="s03_speech_over_12s", title="THE LETTER", seed=103, profile=H264,
        cases=["short intro 1-15 s", "speech over the intro (different in every episode)", "cold open"],
        description="A 12-s intro over which every episode's own narration/dialogue is mixed (0 to -6 dB), "
                    "after a 8-44 s cold open.",
        variants={"A": {"dur": 12.0, "seed": 1031}},
        episodes=eps))

    s.append(dict(
        name="s04_cold_open_minutes_45s", title="IRON COAST", seed=104, profile=dict(H264, w=480, h=270),
        cases=["intro 15-120 s", "cold open of minutes"],
        description="A 45-s intro after a cold open of 30 s to 4 min.",
        variants={"A": {"dur": 45.0, "seed": 1041}},
        episodes=_eps([30.0, 95.52, 150.0, 62.0, 240.0, 187.32], 40)))

    s.append(dict(
        name="s05_late_intro_20s", title="ARCHIVE", seed=105,
        profile=dict(H264, w=320, h=180, fps=24, crf=30), canvas=[256, 144],
        cases=["intro anywhere in the first 15 minutes", "cold open of minutes"],
        description="A 20-s intro starting at 0:35 to 13:15 (the whole first 15 minutes), 30 s of episode after; "
                    "rendered at 256x144 to keep the 14-min episodes cheap.",
        variants={"A": {"dur": 20.0, "seed": 1051}},
        episodes=_eps([35.0, 95.0, 240.52, 400.0, 610.0, 795.0], 30)))

    eps = _eps([0, 10.0, 5.0, 0, 22.0, 14.0], 50)
    eps[2]["cut"] = 35.0
    eps[5]["cut"] = 60.0
    s.append(dict(
        name="s06_long_110s_shortened", title="OPEN ROAD", seed=106, profile=dict(H264, w=480, h=270),
        cases=["intro 15-120 s", "intro shortened in some episodes"],
        description="A 110-s intro; episodes 3 and 6 use only its first 35 s and 60 s (faded out).",
        variants={"A": {"dur": 110.0, "seed": 1061}},
        episodes=eps))

    eps = _eps([3.0, 0, 11.0, 6.0, 0, 17.52], 60)
    for e in eps[3:]:
        e["intro"] = "B"
    s.append(dict(
        name="s07_new_variant_midseason", title="GLASS CITY", seed=107, profile=H264,
        cases=["short intro 1-15 s", "new intro variant from mid-season"],
        description="Episodes 1-3 have a 14-s intro; from episode 4 on a new 10-s intro (other music, card and "
                    "pictures).",
        variants={"A": {"dur": 14.0, "seed": 1071}, "B": {"dur": 10.0, "seed": 1072, "subtitle": "Season Two"}},
        episodes=eps))

    eps = _eps([0, 3.0, 11.0, 6.0, 0, 8.0], 60)
    for e, p in zip(eps, REENCODED):
        e["profile"] = p
    s.append(dict(
        name="s08_reencoded_10s", title="PAPER MOON", seed=108, profile=H264,
        cases=["short intro 1-15 s", "re-encoded episodes (codec, bitrate, resolution, frame rate, loudness)"],
        description="A 10-s intro; every episode encoded differently: H.264/AAC 640x360 25 fps, HEVC 854x480 "
                    "30 fps +6 dB, MPEG-4 part 2/MP3 mono 320x240 23.976 fps -12 dB (AVI), VP8/Vorbis 480x270 "
                    "15 fps (WebM), H.264/Opus 1280x720 50 fps, H.264 CRF 38 256x144 12 fps loudnorm -23 LUFS.",
        variants={"A": {"dur": 10.0, "seed": 1081}},
        episodes=eps))

    eps = _eps([10.0, 0, 0, 0, 0, 0], 60)
    for i, e in enumerate(eps):
        if i > 0:
            e["recap"] = 2 + i % 2
        e["sponsor"] = i in (1, 2, 4)
    s.append(dict(
        name="s09_recap_jingle_sponsor_14s", title="RED LANTERN", seed=109, profile=H264, jingle=2.4, sponsor=6.0,
        cases=["short intro 1-15 s", "logo jingle that repeats (not the intro)",
               "recap of the previous episode (repeats, not the intro)", "sponsor card that repeats (not the intro)"],
        description="Every episode opens with the same 2.4-s studio logo jingle; episodes 2-6 then show a "
                    "'Previously on' card and 2-3 excerpts of the previous episode; then the 14-s intro; "
                    "episodes 2, 3 and 5 a 6-s sponsor card (same picture and voice) right after it.",
        variants={"A": {"dur": 14.0, "seed": 1091}},
        episodes=eps))

    eps = _eps([4.0, 0, 9.0, 2.0, 0, 12.0], 60)
    eps[2]["intro"] = None
    eps[5]["intro"] = None
    s.append(dict(
        name="s10_no_intro_half_6s", title="SMALL HOURS", seed=110, profile=dict(H264, fps=24),
        cases=["short intro 1-15 s", "episodes without an intro"],
        description="A 6-s intro in episodes 1, 2, 4, 5; episodes 3 and 6 have none.",
        variants={"A": {"dur": 6.0, "seed": 1101}},
        episodes=eps))

    s.append(dict(
        name="s11_sting_1_6s", title="QUIZ", seed=111, profile=H264,
        cases=["short intro 1-15 s (1.6 s sting)", "cold open"],
        description="A 1.6-s logo sting (card + fast jingle) after a 5-40 s cold open.",
        variants={"A": {"dur": 1.6, "seed": 1111}},
        episodes=_eps([5.0, 18.0, 40.0, 9.52, 27.0, 13.0], 60)))

    eps = _eps([0, 2.0, 0, 5.0, 0, 1.0], 60)
    s.append(dict(
        name="s12_vocal_theme_30s", title="HOMESTEAD", seed=112, profile=dict(H264, crf=30),
        cases=["intro 15-120 s", "speech/singing that belongs to the intro"],
        description="A 30-s intro whose theme carries a voice line (the same in every episode).",
        variants={"A": {"dur": 30.0, "seed": 1121, "vocals": True}},
        episodes=eps))

    eps = _eps([0, 6.0, 3.0, 0, 9.0, 4.0], 60)
    eps[2]["profile"] = {"streams": "a", "ext": "m4a"}
    eps[4]["profile"] = {"streams": "v"}
    s.append(dict(
        name="s13_audio_only_video_only_9s", title="SIGNAL", seed=113, profile=H264,
        cases=["short intro 1-15 s", "audio-only and video-only episodes (optional case)"],
        description="A 9-s intro; episode 3 is audio-only (M4A), episode 5 video-only (no audio stream).",
        variants={"A": {"dur": 9.0, "seed": 1131}},
        episodes=eps))
    return s


def small_series():
    small = dict(H264, w=320, h=180)
    s = []
    s.append(dict(
        name="small_title_4s", title="NIGHT SHIFT", seed=201, profile=small,
        cases=["short intro 1-15 s", "cold open"],
        description="A 4-s title intro after a 0-12 s cold open.",
        variants={"A": {"dur": 4.0, "seed": 2011}},
        episodes=_eps([0, 5.2, 12.0, 2.4], 22)))
    eps = _eps([3.0, 0, 0, 9.0], 22)
    eps[1]["speech_over"] = -3
    eps[2]["intro"] = None
    for e, p in zip(eps, [{}, REENCODED[1], {}, REENCODED[2]]):
        e["profile"] = dict(p, w=min(p.get("w", 320), 320), h=min(p.get("h", 180), 180))
    s.append(dict(
        name="small_speech_reencoded_8s", title="BLUE HARBOR", seed=202, profile=small,
        cases=["short intro 1-15 s", "speech over the intro", "episode without intro", "re-encoded episodes"],
        description="An 8-s intro; episode 2 has speech over it, episode 3 has none, episodes 2 and 4 are "
                    "HEVC +6 dB and MPEG-4/MP3 -12 dB.",
        variants={"A": {"dur": 8.0, "seed": 2021}},
        episodes=eps))
    eps = _eps([15.0, 22.0, 18.52, 25.0], 16)
    eps[2]["cut"] = 6.0
    s.append(dict(
        name="small_jingle_cold_12s", title="RED LANTERN", seed=203, profile=small, jingle=2.0,
        cases=["intro after a cold open", "logo jingle that repeats (not the intro)", "shortened intro"],
        description="A 2-s logo jingle, a 15-25 s cold open, then a 12-s intro (6 s in episode 3).",
        variants={"A": {"dur": 12.0, "seed": 2031}},
        episodes=eps))
    return s


def season_series(episodes, seed=301):
    """A long season for the speed target of issue 16 §1 (a 100-episode series in < 60 s): a 20-s intro after a
    0-30 s cold open (drawn from the seed), one episode in ten without an intro, 30 s of episode after it.
    Small pictures (320x180), the blocks' video copied into the episodes (only the sound is encoded: mono AAC
    at 22.05 kHz) and the cheap form of the episodes' own parts (one seeded lavfi scene per block, speech and a
    noise bed, no music cue) keep the generation of 100 episodes in minutes; the intro is rendered as in the
    other series. Other seeds give other seasons."""
    import random
    rng = random.Random(seed)
    eps = []
    for i in range(episodes):
        cold = 0.0 if rng.random() < 0.2 else round(rng.uniform(2.0, 30.0) * 25) / 25
        eps.append(dict(cold=cold, body=30, intro=None if rng.random() < 0.1 else "A"))
    return dict(
        name="season_%d_eps_20s" % episodes, title="LONG RUN", seed=seed,
        profile=dict(H264, w=320, h=180, copy_video=True, ac=1, ar=22050, ab="64k"),
        canvas=[320, 180], scene_kinds=("life", "cellauto"),
        cases=["many episodes (speed: indexed matching)", "cold open of varying length", "episodes without intro"],
        description="%d episodes: a 20-s intro after a 0-30 s cold open; about one in ten without an intro." % episodes,
        variants={"A": {"dur": 20.0, "seed": seed * 10 + 1}},
        episodes=eps)


def repeat_series(seed=1):
    """Issue 16 §2: sound that recurs across episodes under OTHER pictures must not be taken for the intro.
    Five series of six short episodes (320x180) whose every time, length and choice is drawn from the seed
    (run several seeds: nothing may be tuned to one draw). Episode key "cues": recurring sounds placed in the
    cold open or the body, each in a block of its own pictures: {"sound": "theme" (the series' intro music,
    variant "variant", from "seek" s) | "phrase" (one recorded sentence, the same in every episode) | "jingle"
    (a short synthesised jingle), "where": "cold" | "body", "frac": position in that part (0..1), "dur"}.
    Episode key "tail": the intro's last second differs — "sound" (the end card stays, its sound is the
    episode's own sting) or "picture" (the theme goes on under a title card of the episode's own)."""
    import random
    rng = random.Random(seed * 7919 + 16)
    small = dict(H264, w=320, h=180)
    canvas = [320, 180]

    def colds(k, lo=0.0, hi=25.0):
        return [0.0 if rng.random() < 0.25 else round(rng.uniform(lo, hi) * 25) / 25 for _ in range(k)]

    def cue(sound, where, dur, **kw):
        return dict(sound=sound, where=where, frac=round(rng.uniform(0.1, 0.8), 3), dur=round(dur * 25) / 25, **kw)

    out = []
    base = 400 + seed * 10

    # 1. The theme reused in the score under other pictures, at other times; one episode has the cue but no
    #    intro, one has speech over its intro, one has the cue twice.
    dur = round(rng.uniform(10, 24))
    eps = _eps(colds(6), 45)
    for i, e in enumerate(eps):
        e["cues"] = [cue("theme", rng.choice(["cold", "body"]) if e["cold"] > 8 else "body",
                         rng.uniform(5, min(9, dur - 1)), variant="A", seek=round(rng.uniform(0, dur - 5), 2))]
    no_intro, speech = rng.sample(range(6), 2)
    eps[no_intro]["intro"] = None
    eps[speech]["speech_over"] = -3
    eps[(speech + 1) % 6 if (speech + 1) % 6 != no_intro else (speech + 2) % 6]["cues"].append(
        cue("theme", "body", rng.uniform(4, 7), variant="A", seek=0.0))
    out.append(dict(
        name="r1_theme_reused_%ds" % dur, title="LOW TIDE", seed=base + 1, profile=small, canvas=canvas,
        cases=["theme music reused as a score cue under other pictures", "episode without intro but with the cue",
               "speech over the intro"],
        description="A %d-s intro; its music returns as a 5-9 s cue under other pictures in every episode "
                    "(twice in one); episode %d has no intro, episode %d speech over it." % (dur, no_intro + 1,
                                                                                          speech + 1),
        variants={"A": {"dur": float(dur), "seed": base * 10 + 11}}, episodes=eps))

    # 2. A catchphrase: one recorded sentence spoken under other pictures at other times in every episode.
    dur = round(rng.uniform(8, 16))
    eps = _eps(colds(6), 45)
    for e in eps:
        e["cues"] = [cue("phrase", "body", 0)]
        if rng.random() < 0.5:
            e["cues"].append(cue("phrase", "cold" if e["cold"] > 8 else "body", 0))
    eps[rng.randrange(6)]["intro"] = None
    out.append(dict(
        name="r2_catchphrase_%ds" % dur, title="DESK NINE", seed=base + 2, profile=small, canvas=canvas,
        cases=["recurring catchphrase (same recording) under other pictures", "episode without intro"],
        description="A %d-s intro; the same recorded sentence is spoken once or twice per episode under other "
                    "pictures; one episode has no intro." % dur,
        variants={"A": {"dur": float(dur), "seed": base * 10 + 21}}, episodes=eps))

    # 3. A jingle (short music, other pictures each time) once or twice per episode; speech over two intros.
    dur = round(rng.uniform(6, 14))
    eps = _eps(colds(6), 45)
    for e in eps:
        e["cues"] = [cue("jingle", "body", rng.uniform(2.5, 4.0)) for _ in range(rng.randint(1, 2))]
    for i in rng.sample(range(6), 2):
        eps[i]["speech_over"] = rng.choice([-2, -4])
    out.append(dict(
        name="r3_jingle_%ds" % dur, title="HOT WIRE", seed=base + 3, profile=small, canvas=canvas,
        cases=["recurring jingle under other pictures", "speech over the intro"],
        description="A %d-s intro; a 2.5-4 s jingle plays once or twice per episode under other pictures; "
                    "two episodes have speech over the intro." % dur,
        variants={"A": {"dur": float(dur), "seed": base * 10 + 31}}, episodes=eps))

    # 4. The intro's last second differs between episodes (its sound, or its picture), plus a theme cue.
    dur = round(rng.uniform(18, 40))
    eps = _eps(colds(6), 40)
    for i, e in enumerate(eps):
        e["tail"] = "sound" if (i + seed) % 2 else "picture"
        if rng.random() < 0.5:
            e["cues"] = [cue("theme", "body", rng.uniform(5, 8), variant="A", seek=round(rng.uniform(0, dur - 9), 2))]
    out.append(dict(
        name="r4_last_second_differs_%ds" % dur, title="FAR SHORE", seed=base + 4, profile=small, canvas=canvas,
        cases=["intro whose last second differs between episodes (sound or picture)",
               "theme music reused under other pictures"],
        description="A %d-s intro whose last second is the episode's own: the end card over a sting of its own, "
                    "or the theme under a card of its own; about half the episodes reuse the theme as a cue."
                    % dur,
        variants={"A": {"dur": float(dur), "seed": base * 10 + 41}}, episodes=eps))

    # 5. A new intro from mid-season; the old theme stays as a cue under other pictures in the later episodes.
    da, db = round(rng.uniform(10, 20)), round(rng.uniform(8, 16))
    switch = rng.randint(3, 4)
    eps = _eps(colds(6), 45)
    for i, e in enumerate(eps):
        if i >= switch:
            e["intro"] = "B"
            e["cues"] = [cue("theme", "body", rng.uniform(5, min(9, da - 1)), variant="A",
                             seek=round(rng.uniform(0, da - 5), 2))]
    out.append(dict(
        name="r5_variant_change_cue_%ds_%ds" % (da, db), title="GREY TOWER", seed=base + 5, profile=small,
        canvas=canvas,
        cases=["new intro variant from mid-season", "the old theme reused under other pictures after the change"],
        description="Episodes 1-%d have a %d-s intro, the later ones a new %d-s intro; the old theme returns as a "
                    "cue under other pictures after the change." % (switch, da, db),
        variants={"A": {"dur": float(da), "seed": base * 10 + 51},
                  "B": {"dur": float(db), "seed": base * 10 + 52, "subtitle": "New Season"}},
        episodes=eps))
    for s in out:
        s["repeat_seed"] = seed
    return out
