#!/usr/bin/env bash
# A second synthetic "series" (ffmpeg lavfi + espeak-ng only, deterministic), different from
# make_series.sh in intro, content, picture and file names, so that a folder holding both is a
# mixed folder of two series (issue 4 §8).
#   make_series_b.sh OUTDIR
# Writes OUTDIR/b1.mp4 .. b4.mp4 (~30 s, 256x144): a cold open of 2, 6, 0 and 4 s unique to the
# episode, then the SAME 5-s intro (a falling arpeggio of square-ish tones + brown noise, seed 7),
# then episode-specific speech and melody. Ground truth: OUTDIR/truth.json (SPEC §2 form A).
set -euo pipefail
out=${1:?usage: make_series_b.sh OUTDIR}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

RATE=22050
DUR=30
INTRO=5
# The intro: a falling arpeggio (4 notes a second) with its octave and a low drone, plus brown noise.
ff -f lavfi -i "aevalsrc=0.25*sgn(sin(2*PI*t*523*pow(2\,-mod(floor(t*4)*3\,12)/12)))*0.6+0.2*sin(2*PI*t*1046*pow(2\,-mod(floor(t*4)*3\,12)/12))+0.15*sin(2*PI*t*98):s=$RATE:d=$INTRO" \
   -f lavfi -i "anoisesrc=d=$INTRO:c=brown:r=$RATE:a=0.08:seed=7" \
   -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0[a]" -map "[a]" -ac 1 -c:a pcm_s16le "$tmp/intro.wav"

sentences=(
  "Every morning the lighthouse keeper wrote the weather into a thick green book."
  "The orchestra tuned their violins while the rain drummed on the glass roof."
  "A small fox crossed the frozen river and disappeared between the pine trees."
  "The engineers argued about the rocket until the coffee machine broke down."
)
colds=(2 6 0 4)
bases=(165 185 208 233)
rates=(3 5 4 6)
: > "$tmp/truth"
for i in 1 2 3 4; do
  k=$((i - 1))
  cold=${colds[$k]}
  uniq=$((DUR - INTRO))
  espeak-ng -v en-us -s 165 -p $((60 - 9 * k)) -w "$tmp/speech$i.wav" "${sentences[$k]} ${sentences[$(((k + 1) % 4))]}"
  ff -f lavfi -i "aevalsrc=0.12*sin(2*PI*t*${bases[$k]}*pow(2\,mod(floor(t*${rates[$k]})*$((k + 3))\,12)/12)):s=$RATE:d=$uniq" \
     -f lavfi -i "anoisesrc=d=$uniq:c=pink:r=$RATE:a=0.04:seed=$((2000 + i))" \
     -i "$tmp/speech$i.wav" \
     -filter_complex "[2:a]aresample=$RATE,apad[s];[0:a][1:a][s]amix=inputs=3:normalize=0:duration=first[a]" \
     -map "[a]" -ac 1 -c:a pcm_s16le "$tmp/uniq$i.wav"
  ff -i "$tmp/uniq$i.wav" -i "$tmp/intro.wav" -filter_complex \
    "[0:a]atrim=0:$cold,asetpts=N/SR/TB[c];[0:a]atrim=$cold,asetpts=N/SR/TB[r];[c][1:a][r]concat=n=3:v=0:a=1[a]" \
    -map "[a]" -c:a pcm_s16le "$tmp/ep$i.wav"
  ff -f lavfi -i "mandelbrot=s=256x144:r=10:start_scale=$((1 + i)):end_scale=0.5" -i "$tmp/ep$i.wav" -map 0:v -map 1:a \
     -t $DUR -c:v libx264 -preset ultrafast -crf 40 -pix_fmt yuv420p -g 20 -c:a aac -b:a 96k "$out/b$i.mp4"
  printf '  "b%d.mp4": {"start": "00:00:%02d.000", "end": "00:00:%02d.000"}%s\n' "$i" "$cold" "$((cold + INTRO))" \
    "$([ $i -lt 4 ] && echo ,)" >> "$tmp/truth"
done
{ echo "{"; cat "$tmp/truth"; echo "}"; } > "$out/truth.json"
