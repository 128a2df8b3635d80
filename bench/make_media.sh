#!/usr/bin/env bash
# Generates the benchmark inputs into OUTDIR (default: bench/work/media). Deterministic, nothing is
# downloaded; files that already exist are kept (delete them to regenerate).
#
#   clip_60s.mp4    60 s 1920x1080 25 fps H.264 (libx264 veryfast, yuv420p, B-frames, keyframe exactly
#                   every 2 s: -g 50 -keyint_min 50 -sc_threshold 0) + AAC 48 kHz stereo. Three
#                   20-s "scenes" with moving content: testsrc2 / SMPTE bars with a moving picture-in-
#                   picture / a zooming Mandelbrot; audio: beeping tone over pink noise.
#   smoke_20s.mp4   the first 20 s of the clip (harness smoke test)
#   lesson_10m.mp4  the clip's video concatenated 10x with the concat demuxer and -c copy
#   lesson_1h.mp4   the same, 60x (peak-RSS benchmark)
#   lesson_10m_gop10.mp4  the clip's pictures re-encoded with x264's default keyframe interval (250 frames =
#                   10 s, what phones and screen recorders commonly write), 10x: the --nearest-keyframe input
#
# Only the video is stream-copied. The audio of the long files is concatenated losslessly (PCM) and
# encoded to AAC once: concatenating AAC with -c copy would add the encoder's priming/padding
# (~21 ms) at every joint, so the video's keyframes would drift off the 2-s grid (and A/V apart).
# That way keyframes stay exactly on multiples of 2 s and the files end at exactly N x 60 s.
#
# Usage: bash bench/make_media.sh [OUTDIR] [--only NAME...]   (NAME: clip smoke 10m 1h 10m_gop10)
set -euo pipefail
out=${1:-"$(dirname "$0")/work/media"}
shift || true
want=${*:-clip smoke 10m 1h}
mkdir -p "$out"
cd "$out"

ff() { ffmpeg -hide_banner -loglevel error -nostdin -y "$@"; }
wants() { [[ " $want " == *" $1 "* ]]; }
# Builds $1 by running the rest into a temp name, then renames: an interrupted run leaves no half file.
make_once() {
  local name=$1; shift
  [ -s "$name" ] && return 0
  echo "make_media: generating $out/$name" >&2
  local tmp="tmp_${name}"
  rm -f "$tmp"
  "$@" "$tmp" && [ -s "$tmp" ] || { rm -f "$tmp"; echo "make_media: failed to make $name" >&2; exit 1; }
  mv -f "$tmp" "$name"
}

# x264 with a fixed thread count: output bytes do not depend on the machine's core count.
x264=(-c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p -profile:v high -bf 3
      -g 50 -keyint_min 50 -sc_threshold 0 -threads 2 -r 25)

gen_video() {  # 60 s, video only
  ff -f lavfi -i "testsrc2=size=1920x1080:rate=25:duration=20" \
     -f lavfi -i "smptebars=size=1920x1080:rate=25:duration=20" \
     -f lavfi -i "testsrc2=size=480x270:rate=25:duration=20" \
     -f lavfi -i "mandelbrot=size=640x360:rate=25:maxiter=256,trim=duration=20" \
     -filter_complex "\
[1:v][2:v]overlay=x='mod(t*220,W-w)':y='(H-h)/2+(H-h)/2*sin(t)'[b];\
[3:v]setpts=PTS-STARTPTS,scale=1920:1080:flags=bicubic[m];\
[0:v][b][m]concat=n=3:v=1:a=0,format=yuv420p,noise=alls=3:allf=t[v]" \
     -map "[v]" -frames:v 1500 "${x264[@]}" -an -f mp4 "$1"
}
gen_audio() {  # 60 s PCM: beeping tone (changes pitch per scene) over quiet pink noise
  ff -f lavfi -i "sine=frequency=220:beep_factor=4:sample_rate=48000:duration=20" \
     -f lavfi -i "sine=frequency=330:beep_factor=2:sample_rate=48000:duration=20" \
     -f lavfi -i "sine=frequency=440:beep_factor=6:sample_rate=48000:duration=20" \
     -f lavfi -i "anoisesrc=color=pink:amplitude=0.05:seed=42:sample_rate=48000:duration=60" \
     -filter_complex "[0:a][1:a][2:a]concat=n=3:v=0:a=1[t];[t][3:a]amix=inputs=2:normalize=0,pan=stereo|c0=c0|c1=0.8*c0,atrim=end_sample=2880000[a]" \
     -map "[a]" -c:a pcm_s16le -f wav "$1"
}
# concat_n N OUT [VIDEO]: VIDEO (default clip_video.mp4) N times (-c copy) + clip_audio.wav N times, to AAC.
concat_n() {
  local n=$1 dst=${!#} video=clip_video.mp4 i
  [ $# -eq 3 ] && video=$2
  : > "list_v_$n.txt"; : > "list_a_$n.txt"
  for ((i = 0; i < n; i++)); do
    echo "file '$video'" >> "list_v_$n.txt"
    echo "file 'clip_audio.wav'" >> "list_a_$n.txt"
  done
  ff -f concat -safe 0 -i "list_v_$n.txt" -f concat -safe 0 -i "list_a_$n.txt" \
     -map 0:v -map 1:a -c:v copy -c:a aac -b:a 128k -ac 2 -f mp4 "$dst"
  rm -f "list_v_$n.txt" "list_a_$n.txt"
}

make_once clip_video.mp4 gen_video
make_once clip_audio.wav gen_audio
wants clip && make_once clip_60s.mp4 concat_n 1
if wants smoke; then
  make_once smoke_video.mp4 ff -i clip_video.mp4 -map 0:v -c copy -frames:v 500 -f mp4
  make_once smoke_20s.mp4 ff -i smoke_video.mp4 -i clip_audio.wav -map 0:v -map 1:a -c:v copy \
    -af atrim=end_sample=960000 -c:a aac -b:a 128k -ac 2 -f mp4
fi
wants 10m && make_once lesson_10m.mp4 concat_n 10
wants 1h && make_once lesson_1h.mp4 concat_n 60
if wants 10m_gop10; then
  make_once clip_video_gop10.mp4 ff -i clip_video.mp4 -map 0:v "${x264[@]/#50/250}" -an -f mp4
  make_once lesson_10m_gop10.mp4 concat_n 10 clip_video_gop10.mp4
fi
echo "$out"
