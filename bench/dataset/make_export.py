#!/usr/bin/env python3
"""Writes a Label Studio JSON export (full format) with N labeled intervals over one lesson video, for the
`dataset build` benchmark (bench/dataset/run.sh). Deterministic (seeded): intervals of 5-25 s spread over the
whole video, each with one of the eight PPI pattern labels as annotators write them (emoji + role prefix),
split over two annotators (two annotations of one task), like a real two-expert labeling of one lesson.

Usage: make_export.py VIDEO_NAME DURATION_SECONDS OUT.json [--count 200] [--seed 7]
"""
import argparse
import json
import random

LABELS = [
    "🎯 П: Включение в обучающий процесс", "💖 П: Эмоциональная поддержка", "😊 У: Эмоциональный отклик",
    "П: Обратная связь", "У: Вопрос учителю", "П: Организация работы", "У: Самостоятельная работа",
    "П: Объяснение материала",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("video_name")
    ap.add_argument("duration", type=float)
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    annotations = []
    per_annotator = [args.count - args.count // 2, args.count // 2]
    for a, (email, n) in enumerate(zip(["anna@school.ru", "boris@school.ru"], per_annotator)):
        results = []
        for i in range(n):
            length = rnd.uniform(5, 25)
            start = round(rnd.uniform(0, args.duration - length - 0.1), 2)
            end = round(start + length, 2)
            results.append({
                "id": f"r{a}_{i}", "from_name": "pattern_intervals", "to_name": "audio", "type": "labels",
                "origin": "manual", "original_length": args.duration,
                "value": {"start": start, "end": end, "channel": 0, "labels": [rnd.choice(LABELS)]},
            })
        annotations.append({"id": a + 1, "completed_by": {"id": a + 3, "email": email},
                            "was_cancelled": False, "ground_truth": False, "result": results})
    task = {"id": 1, "data": {"video": f"/data/upload/1/0a1b2c-{args.video_name}", "fps": 25},
            "annotations": annotations}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump([task], f, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
