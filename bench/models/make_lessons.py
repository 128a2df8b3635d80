#!/usr/bin/env python3
"""Synthetic lessons with known pedagogical-pattern intervals (issue 5 §5 benchmark).

Each lesson is a random sequence of blocks, one pattern each:
  explanation  - the teacher speaks (espeak-ng, low male voice), the teacher's face on screen
  discussion   - short alternating turns of teacher and student (high female voice), each turn
                 showing the speaker's face
  silent_work  - silence, a text card ("Exercise N ...", drawtext)
  music_break  - a melody (ffmpeg aevalsrc), a coloured card
Faces are Debian's dlib example photos (/usr/share/doc/libdlib19.1/examples/faces/).
Output: OUT/lessonK.mp4 and OUT/dataset/metadata.jsonl (one row per block: source_video, start,
end, patterns), the form `vidseg train --task patterns --data` reads.

Usage: make_lessons.py OUT [LESSONS] [SECONDS] [SEED]
"""
import array
import json
import os
import random
import subprocess
import sys
import wave

RATE = 22050
FACES = "/usr/share/doc/libdlib19.1/examples/faces"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
W, H, FPS = 320, 180, 5
TEACHER = ["-v", "en-us", "-p", "30", "-s", "150"]
STUDENT = ["-v", "en-gb+f3", "-p", "75", "-s", "170"]
SENTENCES = [
    "Today we look at how fractions are added together.",
    "Remember that the denominator must be the same.",
    "Let us write the first example on the board.",
    "Why do you think the answer is larger?",
    "I think we multiply both numbers by three.",
    "Can you explain that step again please?",
    "Good, that is exactly the right idea.",
    "The area of a triangle is half the base times the height.",
    "What happens when the height doubles?",
    "Then the area doubles as well.",
    "Photosynthesis turns light into chemical energy.",
    "Plants take carbon dioxide from the air.",
]


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read_wav(path):
    with wave.open(path) as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2, path
        a = array.array("h")
        a.frombytes(w.readframes(w.getnframes()))
        return a


def speech(tmp, voice_name, voice, index, text):
    path = os.path.join(tmp, f"{voice_name}{index}.wav")
    if not os.path.exists(path):
        run(["espeak-ng", *voice, "-w", path + ".raw.wav", text])
        run(["ffmpeg", "-y", "-loglevel", "error", "-i", path + ".raw.wav", "-ac", "1", "-ar", str(RATE), path])
    return read_wav(path)


def melody(tmp, index):
    path = os.path.join(tmp, f"melody{index}.wav")
    if not os.path.exists(path):
        notes = [[262, 330, 392, 523], [294, 370, 440, 587]][index % 2]
        # A four-note arpeggio, 0.25 s a note, with a soft third harmonic.
        expr = "+".join(
            f"0.3*between(mod(t,1),{k*0.25},{k*0.25+0.24})*(sin(2*PI*{f}*t)+0.3*sin(6*PI*{f}*t))"
            for k, f in enumerate(notes)).replace(",", "\\,")  # commas would split the filter graph
        run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", f"aevalsrc={expr}:s={RATE}:d=30",
             "-ac", "1", path])
    return read_wav(path)


def card(tmp, name, text=None, color="0x203040", face=None):
    path = os.path.join(tmp, name + ".png")
    if os.path.exists(path):
        return path
    if face:
        run(["ffmpeg", "-y", "-loglevel", "error", "-i", face, "-vf",
             f"scale={W}:{H}:force_original_aspect_ratio=decrease,pad={W}:{H}:(ow-iw)/2:(oh-ih)/2", path])
    else:
        run(["ffmpeg", "-y", "-loglevel", "error", "-f", "lavfi", "-i", f"color=c={color}:s={W}x{H}:d=1", "-vf",
             f"drawtext=fontfile={FONT}:text='{text}':fontcolor=white:fontsize=20:x=(w-tw)/2:y=(h-th)/2",
             "-frames:v", "1", path])
    return path


def fill(pool, seconds, rng, gap=0.3):
    """Speech of one voice for `seconds`: random sentences with short pauses, cut to length."""
    out = array.array("h")
    n = int(seconds * RATE)
    while len(out) < n:
        out.extend(rng.choice(pool))
        out.extend(array.array("h", bytes(2 * int(gap * RATE))))
    return out[:n]


def make_lesson(out_dir, tmp, k, seconds, rng, faces, rows):
    pools = {
        "teacher": [speech(tmp, "teacher", TEACHER, i, s) for i, s in enumerate(SENTENCES)],
        "student": [speech(tmp, "student", STUDENT, i, s) for i, s in enumerate(SENTENCES)],
    }
    teacher_face = card(tmp, f"face{k}t", face=faces[(2 * k) % len(faces)])
    student_face = card(tmp, f"face{k}s", face=faces[(2 * k + 1) % len(faces)])
    audio = array.array("h")
    frames = []  # (image, seconds)
    t = 0.0
    last = None
    while t < seconds - 4:
        pattern = rng.choice([p for p in ["explanation", "discussion", "silent_work", "music_break"] if p != last])
        last = pattern
        length = min(round(rng.uniform(10, 24)), seconds - t)
        if pattern == "explanation":
            audio.extend(fill(pools["teacher"], length, rng))
            frames.append((teacher_face, length))
        elif pattern == "discussion":
            left, speaker = length, rng.choice(["teacher", "student"])
            while left > 0:
                turn = min(round(rng.uniform(2, 4), 1), left)
                audio.extend(fill(pools[speaker], turn, rng))
                frames.append((teacher_face if speaker == "teacher" else student_face, turn))
                left = round(left - turn, 1)
                speaker = "student" if speaker == "teacher" else "teacher"
        elif pattern == "silent_work":
            audio.extend(array.array("h", bytes(2 * int(length * RATE))))
            frames.append((card(tmp, f"work{k}_{int(t)}", text=f"Exercise {rng.randint(1, 20)}  -  work quietly"),
                           length))
        else:
            m = melody(tmp, rng.randint(0, 1))
            audio.extend(m[: int(length * RATE)])
            frames.append((card(tmp, f"music{rng.randint(0, 1)}", text="Break", color="0x602040"), length))
        rows.append({"source_video": f"lesson{k}.mp4", "start": round(t, 2), "end": round(t + length, 2),
                     "patterns": [pattern]})
        t = round(t + length, 2)
    del audio[int(t * RATE):]
    wav = os.path.join(tmp, f"lesson{k}.wav")
    with wave.open(wav, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(RATE)
        w.writeframes(audio.tobytes())
    concat = os.path.join(tmp, f"lesson{k}.txt")
    with open(concat, "w") as f:
        for image, d in frames:
            f.write(f"file '{image}'\nduration {d}\n")
        f.write(f"file '{frames[-1][0]}'\n")
    run(["ffmpeg", "-y", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", concat, "-i", wav,
         "-vf", f"fps={FPS},format=yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
         "-t", str(t), os.path.join(out_dir, f"lesson{k}.mp4")])


def main():
    out_dir = os.path.abspath(sys.argv[1])
    lessons = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 180
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 5)
    tmp = os.path.join(out_dir, "tmp")
    os.makedirs(tmp, exist_ok=True)
    os.makedirs(os.path.join(out_dir, "dataset"), exist_ok=True)
    faces = sorted(os.path.join(FACES, f) for f in os.listdir(FACES) if f.endswith(".jpg"))
    rows = []
    for k in range(lessons):
        make_lesson(out_dir, tmp, k, seconds, rng, faces, rows)
    with open(os.path.join(out_dir, "dataset", "metadata.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    print(f"{lessons} lessons x {seconds:.0f} s, {len(rows)} labelled blocks -> {out_dir}")


if __name__ == "__main__":
    main()
