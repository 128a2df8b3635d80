#!/usr/bin/env bash
# Synthetic "series" for intro detection tests (ffmpeg lavfi + espeak-ng only, deterministic).
#   make_series.sh OUTDIR
# Writes OUTDIR/ep1.mp4 .. ep4.mp4 (~40 s, 320x240): a cold open of 3, 8, 0 and 12 s unique to the
# episode, then the SAME 6-s intro audio (a melody of changing chords + noise with a fixed seed),
# then episode-specific content; OUTDIR/ep5.mp4 has no intro. Ground truth: OUTDIR/truth.json
# (SPEC §2 form A, fractional seconds "HH:MM:SS.mmm"; ep5 = start == end = no intro).
set -euo pipefail
out=${1:?usage: make_series.sh OUTDIR}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

RATE=22050
DUR=40
INTRO=6
# The shared intro: two voices stepping through notes at 2 and 3 changes a second, plus fixed-seed noise.
ff -f lavfi -i "aevalsrc=0.3*sin(2*PI*t*220*pow(2\,mod(floor(t*2)*5\,12)/12))+0.2*sin(2*PI*t*330*pow(2\,mod(floor(t*3)*7+3\,12)/12)):s=$RATE:d=$INTRO" \
   -f lavfi -i "anoisesrc=d=$INTRO:c=pink:r=$RATE:a=0.05:seed=42" \
   -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0[a]" -map "[a]" -ac 1 -c:a pcm_s16le "$tmp/intro.wav"

sentences=(
  "The captain opened the old map and counted seven islands before the storm arrived."
  "In the kitchen, Maria tested a new recipe with lemons, pepper and a little honey."
  "Nobody expected the train to stop in the middle of the desert at noon."
  "The robot repaired the bridge slowly, while the children watched from the hill."
  "Yesterday the museum opened a room full of clocks that all showed different times."
)
colds=(3 8 0 12 5)
steps=(1 5 7 11 1)
bases=(196 247 277 311 349)
rates=(4 5 3 6 7)
: > "$tmp/truth"
for i in 1 2 3 4 5; do
  k=$((i - 1))
  cold=${colds[$k]}
  uniq=$((i == 5 ? DUR : DUR - INTRO))
  espeak-ng -s 150 -p $((30 + 8 * k)) -w "$tmp/speech$i.wav" "${sentences[$k]} ${sentences[$(((k + 2) % 5))]} ${sentences[$(((k + 4) % 5))]}"
  # Episode-specific audio: speech over a melody of its own and noise with its own seed.
  ff -f lavfi -i "aevalsrc=0.15*sin(2*PI*t*${bases[$k]}*pow(2\,mod(floor(t*${rates[$k]})*${steps[$k]}+$i\,12)/12)):s=$RATE:d=$uniq" \
     -f lavfi -i "anoisesrc=d=$uniq:c=white:r=$RATE:a=0.04:seed=$((1000 + i))" \
     -i "$tmp/speech$i.wav" \
     -filter_complex "[2:a]aresample=$RATE,apad[s];[0:a][1:a][s]amix=inputs=3:normalize=0:duration=first[a]" \
     -map "[a]" -ac 1 -c:a pcm_s16le "$tmp/uniq$i.wav"
  if ((i == 5)); then
    cp "$tmp/uniq$i.wav" "$tmp/ep$i.wav"
  else
    ff -i "$tmp/uniq$i.wav" -i "$tmp/intro.wav" -filter_complex \
      "[0:a]atrim=0:$cold,asetpts=N/SR/TB[c];[0:a]atrim=$cold,asetpts=N/SR/TB[r];[c][1:a][r]concat=n=3:v=0:a=1[a]" \
      -map "[a]" -c:a pcm_s16le "$tmp/ep$i.wav"
  fi
  ff -f lavfi -i "testsrc2=s=320x240:r=10:d=$DUR" -i "$tmp/ep$i.wav" -map 0:v -map 1:a -shortest \
     -c:v libx264 -preset ultrafast -crf 40 -pix_fmt yuv420p -g 20 -c:a aac -b:a 96k "$out/ep$i.mp4"
  if ((i == 5)); then
    echo "  \"ep$i.mp4\": {\"start\": \"00:00:00\", \"end\": \"00:00:00\"}" >> "$tmp/truth"
  else
    printf '  "ep%d.mp4": {"start": "00:00:%02d.000", "end": "00:00:%02d.000"},\n' "$i" "$cold" "$((cold + INTRO))" >> "$tmp/truth"
  fi
done
{ echo "{"; cat "$tmp/truth"; echo "}"; } > "$out/truth.json"
