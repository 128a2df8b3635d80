#!/usr/bin/env python3
"""Simulated review decisions for `vidseg keyframes learn` (issue 13 §3 benchmark).

Writes one folder per lesson shaped like a `dataset build --keyframe best` output: keyframe_candidates.jsonl
(every candidate's scorer measurements) and review.jsonl (the reviewers' decisions). Nothing is decoded:
the frames are a latent description (is a person in the picture, does the face show and how large, motion
blur, a transition — cross-fade or fade through black —, a slide / screen shot) from which the values the
scorer would measure are derived with the detector's misses and false alarms and measurement noise.

The simulated reviewers are NOT the heuristic: they look at the latent truth, not at the measured score,
and prefer a visible face (a larger one more), then a person at all, a sharp frame, a frame that is not
mid-transition, and (rule set "centre") one near the middle, with Gumbel noise on their judgement. Their
pick among the candidates is recorded as a keyframe pick when it differs from the heuristic's suggestion,
else as "kept" (the suggestion accepted); a few fragments are excluded (with a reason) or not reviewed.

Usage: simulate_reviews.py OUT_DIR --lessons 10 --fragments 40 --seed 1 --rules face|sharp|centre
"""
import argparse
import json
import math
import os
import random

CANDIDATES = 12
W_SHARP, W_EXPOSURE, W_PERSON = 0.5, 0.25, 0.25  # vision/keyframe_scorer.hpp defaults

RULES = {
    # face, person, sharp, transition penalty, centre, noise (Gumbel scale)
    "face": dict(face=2.0, face_size=1.0, person=0.8, sharp=1.0, transition=3.0, centre=0.0, noise=0.35),
    "sharp": dict(face=0.8, face_size=0.3, person=0.4, sharp=2.5, transition=2.0, centre=0.0, noise=0.35),
    "centre": dict(face=1.5, face_size=0.5, person=0.6, sharp=1.0, transition=2.5, centre=1.2, noise=0.5),
}


def exposure_term(mean, clipped):
    if mean < 70:
        b = mean / 70
    elif mean > 185:
        b = (255 - mean) / (255 - 185)
    else:
        b = 1.0
    return max(0.0, min(1.0, b)) * (1 - clipped)


def latent_fragment(rng):
    """Per-candidate truth of one fragment."""
    texture = math.exp(rng.gauss(math.log(260), 0.6))  # Laplacian variance of a sharp frame of this shot
    luma = rng.uniform(80, 170)
    frames = [dict(person=False, face=False, face_frac=0.0, blur=0.0, transition=None, slide=False)
              for _ in range(CANDIDATES)]
    # The teacher is in the picture over one or two runs of candidates; facing the camera in part of them.
    for _ in range(rng.choice([0, 1, 1, 2])):
        a = rng.randrange(CANDIDATES)
        b = min(CANDIDATES, a + rng.randint(2, 8))
        facing = rng.random() < 0.7
        size = rng.uniform(0.003, 0.05)
        for k in range(a, b):
            frames[k]["person"] = True
            if facing and rng.random() < 0.8:
                frames[k]["face"] = True
                frames[k]["face_frac"] = size * rng.uniform(0.8, 1.2)
    # A slide or screen shot (very sharp, bright, nobody) over a run.
    if rng.random() < 0.35:
        a = rng.randrange(CANDIDATES)
        for k in range(a, min(CANDIDATES, a + rng.randint(2, 6))):
            frames[k].update(slide=True, person=False, face=False, face_frac=0.0)
    # Motion: blurred runs.
    for _ in range(rng.choice([0, 1, 2])):
        a = rng.randrange(CANDIDATES)
        strength = rng.uniform(0.4, 0.9)
        for k in range(a, min(CANDIDATES, a + rng.randint(1, 4))):
            frames[k]["blur"] = max(frames[k]["blur"], strength * rng.uniform(0.8, 1.0))
    # A transition over 2-3 candidates, most often at an end of the fragment (the cut of the annotation).
    if rng.random() < 0.45:
        kind = rng.choice(["crossfade", "black"])
        a = rng.choice([0, 0, CANDIDATES - 3, rng.randrange(CANDIDATES - 2)])
        for k in range(a, min(CANDIDATES, a + rng.randint(2, 3))):
            frames[k]["transition"] = kind
    return texture, luma, frames


def measure(rng, texture, luma, f):
    """What vision::KeyframeScorer would report for this frame."""
    lap = texture * (1 - f["blur"]) ** 2 * math.exp(rng.gauss(0, 0.25))
    mean = luma + rng.gauss(0, 6)
    clipped = max(0.0, rng.gauss(0.01, 0.01))
    if f["slide"]:
        lap *= rng.uniform(2.5, 5.0)
        mean = rng.uniform(195, 235)
        clipped = rng.uniform(0.05, 0.3)
    faces = bodies = 0
    face_frac = 0.0
    if f["transition"] == "crossfade":
        lap *= rng.uniform(1.2, 1.8)  # double edges of two pictures
        if rng.random() < 0.25:
            faces, face_frac = 1, rng.uniform(0.002, 0.01)  # a ghost face
    elif f["transition"] == "black":
        lap *= rng.uniform(0.05, 0.3)
        mean *= rng.uniform(0.1, 0.45)
        clipped = rng.uniform(0.2, 0.7)
    if f["face"] and rng.random() < (0.9 if f["face_frac"] > 0.006 else 0.45) * (1 - f["blur"] * 0.6):
        faces, face_frac = faces + 1, max(face_frac, f["face_frac"])
    elif not f["face"] and rng.random() < 0.03:
        faces, face_frac = 1, rng.uniform(0.002, 0.01)  # a false alarm of the Haar cascade
    if f["person"] and rng.random() < 0.6:
        bodies = 1
    mean = max(0.0, min(255.0, mean))
    clipped = max(0.0, min(1.0, clipped))
    sharpness = lap / (lap + 100)
    exposure = exposure_term(mean, clipped)
    person = (0.75 + 0.25 * min(1.0, face_frac / 0.02)) if faces else (0.5 if bodies else 0.0)
    total = (W_SHARP * sharpness + W_EXPOSURE * exposure + W_PERSON * person) / (W_SHARP + W_EXPOSURE + W_PERSON)
    return dict(total=total, sharpness=sharpness, exposure=exposure, person=person, laplacian_variance=lap,
                mean_luma=mean, clipped_share=clipped, faces=faces, bodies=bodies)


def reviewer_utility(rng, rule, f, k, noise=True):
    u = 0.0
    if f["face"]:
        u += rule["face"] + rule["face_size"] * min(1.0, f["face_frac"] / 0.03)
    elif f["person"]:
        u += rule["person"]
    u += rule["sharp"] * (1 - f["blur"])
    if f["transition"]:
        u -= rule["transition"]
    u -= rule["centre"] * abs(k + 0.5 - CANDIDATES / 2) / (CANDIDATES / 2)
    return u - rule["noise"] * math.log(-math.log(rng.random())) if noise else u  # + Gumbel noise


def heuristic_index(cands, middle):
    best = 0
    for k in range(1, len(cands)):
        d = cands[k]["total"] - cands[best]["total"]
        if d > 1e-12 or (abs(d) <= 1e-12 and abs(cands[k]["time"] - middle) < abs(cands[best]["time"] - middle)):
            best = k
    return best


def lesson(out, name, fragments, rule, rng):
    os.makedirs(out, exist_ok=True)
    sidecar, review = [], []
    reviewed = noiseless_agrees = 0  # the ceiling: how often the reviewer's noise-free preference is the pick
    t = 0.0
    for i in range(fragments):
        length = rng.uniform(4, 30)
        start, end = round(t, 3), round(t + length, 3)
        t = end + rng.uniform(0, 20)
        texture, luma, frames = latent_fragment(rng)
        step = (end - start) / CANDIDATES
        cands = []
        for k, f in enumerate(frames):
            c = dict(time=round(start + (k + 0.5) * step, 3))
            c.update(measure(rng, texture, luma, f))
            cands.append(c)
        middle = start + (end - start) / 2
        suggested = heuristic_index(cands, middle)
        item = f"{name}_7_3_{i}"
        sidecar.append(dict(item=item, lesson=name, start=start, end=end, suggested=cands[suggested]["time"],
                            chooser="best", candidates=cands))
        row = dict(item=item, reason="", when="2026-12-07T00:00:00Z", who="simulated", source="interactive",
                   lesson=name, start=start, end=end, patterns=[], annotator="")
        roll = rng.random()
        if roll < 0.05:
            review.append(dict(row, decision="excluded", reason="teacher not in frame"))
            continue
        if roll < 0.13:
            continue  # not reviewed
        utilities = [reviewer_utility(rng, rule, f, k) for k, f in enumerate(frames)]
        pick = max(range(CANDIDATES), key=lambda k: utilities[k])
        ideal = [reviewer_utility(rng, rule, f, k, noise=False) for k, f in enumerate(frames)]
        reviewed += 1
        noiseless_agrees += max(range(CANDIDATES), key=lambda k: ideal[k]) == pick
        if pick == suggested:
            review.append(dict(row, decision="kept"))
        else:
            review.append(dict(row, decision="kept", keyframe=cands[pick]["time"]))
    with open(os.path.join(out, "simulation.json"), "w") as f:
        json.dump(dict(reviewed=reviewed, noiseless_preference_is_pick=noiseless_agrees), f)
    with open(os.path.join(out, "keyframe_candidates.jsonl"), "w") as f:
        for s in sidecar:
            f.write(json.dumps(s) + "\n")
    with open(os.path.join(out, "review.jsonl"), "w") as f:
        for r in review:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--lessons", type=int, default=10)
    ap.add_argument("--fragments", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rules", choices=sorted(RULES), default="face")
    a = ap.parse_args()
    rng = random.Random(f"{a.seed}-{a.rules}")
    for n in range(a.lessons):
        lesson(os.path.join(a.out, f"lesson{n:02d}"), f"lesson{n:02d}", a.fragments, RULES[a.rules], rng)


if __name__ == "__main__":
    main()
