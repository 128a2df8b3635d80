#!/usr/bin/env bash
# Generates the small, deterministic test media of the suite into OUTDIR (default: build/test-media).
# Everything is made here from ffmpeg's lavfi sources and espeak-ng speech; nothing is downloaded.
# Idempotent: files that already exist are kept (delete OUTDIR to regenerate).
set -euo pipefail
out=${1:-build/test-media}
mkdir -p "$out"
cd "$out"
ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
make_once() { local name=$1; shift; [ -s "$name" ] && return 0; "$@" && [ -s "$name" ] || { echo "failed to make $name" >&2; exit 1; }; }

x264="-c:v libx264 -preset veryfast -pix_fmt yuv420p -threads 1"

# H.264 + AAC in MP4, 320x240 @ 25 fps, 12 s, a keyframe every 2 s, with B-frames. testsrc draws a
# frame counter so neighbouring frames differ: tests can tell which source frame a clip starts on.
make_once h264_gop2.mp4 ff -f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 12 $x264 -g 50 -keyint_min 50 -sc_threshold 0 -bf 2 -c:a aac -b:a 96k h264_gop2.mp4

# The same content in Matroska (H.264) and in WebM (VP9 + Opus).
make_once h264.mkv ff -i h264_gop2.mp4 -c copy h264.mkv
make_once vp9.webm ff -f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 12 -pix_fmt yuv420p -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -g 50 -b:v 300k -threads 1 -c:a libopus -b:a 64k vp9.webm

# 29.97 fps (NTSC rate): cut points never fall on frame boundaries.
make_once ntsc.mp4 ff -f lavfi -i testsrc=size=320x240:rate=30000/1001 -f lavfi -i sine=frequency=330:sample_rate=44100 \
  -t 11 $x264 -g 60 -c:a aac -b:a 96k ntsc.mp4

# Variable frame rate: 4 s at 25 fps, then 4 s at 10 fps, then 4 s at 30 fps, timestamps kept as-is.
make_once vfr.mp4 ff -f lavfi -i testsrc=size=320x240:rate=25:duration=4 -f lavfi -i testsrc=size=320x240:rate=10:duration=4 \
  -f lavfi -i testsrc=size=320x240:rate=30:duration=4 -f lavfi -i sine=frequency=500:sample_rate=48000:duration=12 \
  -filter_complex "[0:v]settb=1/90000,setpts=PTS-STARTPTS[a];[1:v]settb=1/90000,setpts=PTS-STARTPTS[b];[2:v]settb=1/90000,setpts=PTS-STARTPTS[c];[a][b][c]concat=n=3:v=1:a=0[v]" \
  -map "[v]" -map 3:a -fps_mode vfr -enc_time_base 1/90000 $x264 -g 40 -c:a aac -b:a 96k -video_track_timescale 90000 vfr.mp4

# MPEG-4 Part 2 in AVI: no smart cut possible, exercises the full re-encode fallback.
make_once mpeg4.avi ff -f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=44100 \
  -t 8 -c:v mpeg4 -q:v 4 -g 50 -c:a libmp3lame -b:a 96k mpeg4.avi

# Edge cases for bad-input handling.
make_once audio_only.m4a ff -f lavfi -i sine=frequency=440:sample_rate=48000 -t 6 -c:a aac audio_only.m4a
make_once video_only.mp4 ff -f lavfi -i testsrc=size=320x240:rate=25 -t 6 $x264 -g 50 video_only.mp4
make_once odd_dims.mp4 ff -f lavfi -i testsrc=size=321x241:rate=25 -f lavfi -i sine=sample_rate=48000 -t 6 \
  -c:v libx264 -preset veryfast -pix_fmt yuv444p -threads 1 -g 50 -c:a aac odd_dims.mp4
make_once rotated.mp4 ff -i h264_gop2.mp4 -t 6 -c copy -metadata:s:v:0 rotate=90 rotated.mp4
make_once not_video.txt sh -c 'echo "this is a text file, not a video" > not_video.txt'
make_once corrupt.mp4 sh -c 'head -c 64 h264_gop2.mp4 > corrupt.mp4; head -c 200000 /dev/zero | tr "\0" "x" >> corrupt.mp4'
# moov at the front, then only the first third of the media data: the index promises more than the file holds.
make_once faststart.mp4 ff -i h264_gop2.mp4 -c copy -movflags +faststart faststart.mp4
make_once truncated.mp4 sh -c 'head -c $(( $(stat -c %s faststart.mp4) / 3 )) faststart.mp4 > truncated.mp4'
make_once zero_duration.mp4 ff -f lavfi -i testsrc=size=320x240:rate=25 -frames:v 0 $x264 zero_duration.mp4 || true

# A short sample lesson with speech (espeak-ng), pauses and three visual "scenes"; used by the README demo.
if [ ! -s lesson.mp4 ]; then
  espeak-ng -v en -s 150 -w speech_en.wav "Good morning class. Today we will learn how plants turn sunlight into food. Please open your books at page twelve."
  espeak-ng -v ru -s 150 -w speech_ru.wav "Здравствуйте, ребята. Сегодня мы поговорим о фотосинтезе. Кто может сказать, что нужно растению для роста?"
  ff -i speech_en.wav -i speech_ru.wav -filter_complex \
    "[0:a]aresample=48000,apad=pad_dur=3[a];[1:a]aresample=48000,apad=pad_dur=2[b];anullsrc=r=48000:cl=mono,atrim=0:2[s];[s][a][b]concat=n=3:v=0:a=1,apad,atrim=0:30[out]" \
    -map "[out]" -ac 1 lesson_audio.wav
  ff -f lavfi -i "testsrc2=size=640x360:rate=25:duration=10" -f lavfi -i "smptebars=size=640x360:rate=25:duration=10" \
    -f lavfi -i "mandelbrot=size=640x360:rate=25" -i lesson_audio.wav \
    -filter_complex "[2:v]trim=duration=10,setpts=PTS-STARTPTS[m];[0:v][1:v][m]concat=n=3:v=1:a=0[v]" \
    -map "[v]" -map 3:a -t 30 $x264 -g 50 -c:a aac -b:a 96k lesson.mp4
  rm -f speech_en.wav speech_ru.wav lesson_audio.wav
fi
echo "test media ready in $(pwd)"
