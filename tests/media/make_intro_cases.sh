#!/usr/bin/env bash
# Synthetic series for the hard cases of intro detection (ffmpeg lavfi + espeak-ng only, deterministic).
#   make_intro_cases.sh OUTDIR CASE      CASE = speech | visual | recap | variant | mixed | endcard | tail | cue
# Writes OUTDIR/ep1.mp4 .. ep6.mp4 (ep1..ep4 for visual; 30 s, 160x120, 10 fps) and OUTDIR/truth.json
# (SPEC §2 form A).
# Every episode has its own pictures (Conway's life with its own seed) and sound (speech over a melody
# and noise of its own); the intro (6 s) is shared:
#   speech   the intro's melody and pictures with each episode's own speech over them;
#   visual   the intro's pictures over silence (only the pictures repeat);
#   recap    episodes 2..6 open with a 4-s recap of the previous episode (its 12-16 s), episode 4 has
#            no intro (its content is still recapped in episode 5);
#   variant  episodes 1-3 show intro A, 4-6 a different intro B (another melody and pictures);
#   mixed    variant, with speech over the intro in episodes 2 and 5 and a recap in episodes 3 and 6.
#   endcard  the intro's melody stops 0.8 s before its pictures do (a silent end card), then a hard cut;
#   tail     the intro's melody runs on 0.8 s under the first shot after the intro (a music tail):
#            in both the sound misplaces the end by 0.8 s and the cut marks it (cue snapping).
#   cue      the intro's melody is reused as a score cue under the episode's own pictures 7 s before
#            its end (issue 16 §2: recurring audio, not the intro); episode 4 has the cue but no
#            intro, episode 2 speech over its intro.
set -euo pipefail
out=${1:?usage: make_intro_cases.sh OUTDIR CASE}
case_name=${2:?usage: make_intro_cases.sh OUTDIR CASE}
case "$case_name" in speech | visual | recap | variant | mixed | endcard | tail | cue) ;; *) echo "unknown case $case_name" >&2; exit 2 ;; esac
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

RATE=22050
DUR=30
INTRO=6
SIZE=160x120
FPS=10
# seg NAME VIDEO_LAVFI AUDIO_FILE: one segment (video + mono audio), raw in NUT for exact concatenation.
seg() {
  ff -f lavfi -i "$2" -i "$3" -map 0:v -map 1:a -shortest -c:v rawvideo -pix_fmt yuv420p -c:a pcm_s16le "$tmp/$1.nut"
}
# The shared intros: melodies of changing chords + fixed-seed noise; pictures of a zooming fractal
# (A) or a moving test pattern (B).
melody() {  # OUT BASE STEP SEED BASE2 [SECONDS]
  local d=${6:-$INTRO}
  ff -f lavfi -i "aevalsrc=0.3*sin(2*PI*t*$2*pow(2\,mod(floor(t*2)*$3\,12)/12))+0.2*sin(2*PI*t*$5*pow(2\,mod(floor(t*3)*7+3\,12)/12)):s=$RATE:d=$d" \
     -f lavfi -i "anoisesrc=d=$d:c=pink:r=$RATE:a=0.05:seed=$4" \
     -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0[a]" -map "[a]" -ac 1 -c:a pcm_s16le "$1"
}
melody "$tmp/introA.wav" 220 5 42 330
melody "$tmp/introB.wav" 262 7 77 415
ff -f lavfi -i "anullsrc=r=$RATE:cl=mono:d=$INTRO" -c:a pcm_s16le "$tmp/silence.wav"
if [[ $case_name == endcard ]]; then  # the last 0.8 s of the melody silenced
  ff -i "$tmp/introA.wav" -af "volume=volume=0:enable='gte(t,$INTRO-0.8)'" -c:a pcm_s16le "$tmp/introA_card.wav"
  mv "$tmp/introA_card.wav" "$tmp/introA.wav"
elif [[ $case_name == tail ]]; then  # the same melody 0.8 s longer; its last 0.8 s go under the next shot
  melody "$tmp/introA_long.wav" 220 5 42 330 "$INTRO.8"
  ff -i "$tmp/introA_long.wav" -af "atrim=start=$INTRO,asetpts=PTS-STARTPTS" -c:a pcm_s16le "$tmp/tail.wav"
fi
videoA="mandelbrot=s=$SIZE:r=$FPS:start_scale=2:end_scale=0.05,trim=duration=$INTRO"
videoB="testsrc=s=$SIZE:r=$FPS:d=$INTRO,hue=s=2"

sentences=(
  "The captain opened the old map and counted seven islands before the storm arrived."
  "In the kitchen, Maria tested a new recipe with lemons, pepper and a little honey."
  "Nobody expected the train to stop in the middle of the desert at noon."
  "The robot repaired the bridge slowly, while the children watched from the hill."
  "Yesterday the museum opened a room full of clocks that all showed different times."
  "A small dog followed the postman through the village every single morning."
)
colds=(3 8 0 12 5 10)
: > "$tmp/truth"
count=6
[[ $case_name == visual ]] && count=4
for i in $(seq 1 $count); do
  k=$((i - 1))
  espeak-ng -s 150 -p $((30 + 7 * k)) -w "$tmp/speech$i.wav" "${sentences[$k]} ${sentences[$(((k + 2) % 6))]} ${sentences[$(((k + 4) % 6))]}"
  # The episode's own sound and pictures, DUR seconds.
  ff -f lavfi -i "aevalsrc=0.15*sin(2*PI*t*$((180 + 23 * i))*pow(2\,mod(floor(t*$((3 + i % 4)))*$((i * 2 + 1))\,12)/12)):s=$RATE:d=$DUR" \
     -f lavfi -i "anoisesrc=d=$DUR:c=white:r=$RATE:a=0.04:seed=$((1000 + i))" -i "$tmp/speech$i.wav" \
     -filter_complex "[2:a]aresample=$RATE,apad[s];[0:a][1:a][s]amix=inputs=3:normalize=0:duration=first[a]" \
     -map "[a]" -ac 1 -c:a pcm_s16le "$tmp/own$i.wav"
  seg "own$i" "life=s=$SIZE:r=$FPS:seed=$((500 + i)):ratio=0.4:mold=8:life_color=#$((10 + i))90c0:death_color=#202020,trim=duration=$DUR" "$tmp/own$i.wav"
  intro_video=$videoA
  intro_audio=$tmp/introA.wav
  if [[ ($case_name == variant || $case_name == mixed) && $i -ge 4 ]]; then intro_video=$videoB; intro_audio=$tmp/introB.wav; fi
  if [[ $case_name == visual ]]; then intro_audio=$tmp/silence.wav; fi
  if [[ $case_name == speech || ($case_name == mixed && ($i -eq 2 || $i -eq 5)) || ($case_name == cue && $i -eq 2) ]]; then
    ff -i "$intro_audio" -i "$tmp/speech$i.wav" -filter_complex "[1:a]aresample=$RATE,apad[s];[0:a][s]amix=inputs=2:normalize=0:duration=first[a]" \
       -map "[a]" -ac 1 -c:a pcm_s16le "$tmp/intro_speech$i.wav"
    intro_audio=$tmp/intro_speech$i.wav
  fi
  seg "intro$i" "$intro_video" "$intro_audio"
  cold=${colds[$k]}
  has_intro=1
  [[ ($case_name == recap || $case_name == cue) && $i -eq 4 ]] && has_intro=0
  recap=0
  parts=()
  if [[ ($case_name == recap && $i -ge 2) || ($case_name == mixed && ($i -eq 3 || $i -eq 6)) ]]; then
    recap=4
    ff -i "$tmp/own$((i - 1)).nut" -ss 12 -t $recap -c:v rawvideo -c:a pcm_s16le "$tmp/recap$i.nut"
    parts+=("$tmp/recap$i.nut")
  fi
  (( cold > 0 )) && { ff -i "$tmp/own$i.nut" -t "$cold" -c:v rawvideo -c:a pcm_s16le "$tmp/cold$i.nut"; parts+=("$tmp/cold$i.nut"); }
  if (( has_intro )); then
    parts+=("$tmp/intro$i.nut")
    rest=$((DUR - recap - cold - INTRO))
  else
    rest=$((DUR - recap - cold))
  fi
  ff -i "$tmp/own$i.nut" -ss "$cold" -t "$rest" -c:v rawvideo -c:a pcm_s16le "$tmp/rest$i.nut"
  if [[ $case_name == tail ]] && (( has_intro )); then
    ff -i "$tmp/rest$i.nut" -i "$tmp/tail.wav" -filter_complex "[1:a]apad[t];[0:a][t]amix=inputs=2:normalize=0:duration=first[a]" \
       -map 0:v -map "[a]" -c:v rawvideo -c:a pcm_s16le "$tmp/rest_tail$i.nut"
    mv "$tmp/rest_tail$i.nut" "$tmp/rest$i.nut"
  fi
  if [[ $case_name == cue ]]; then  # the intro's melody in place of the episode's own sound, 7 s before the end
    at=$((rest - 7))
    ff -i "$tmp/rest$i.nut" -i "$tmp/introA.wav" -filter_complex \
       "[0:a]volume=volume=0:enable='between(t,$at,$((at + INTRO)))'[o];[1:a]adelay=$((at * 1000)),apad[t];[o][t]amix=inputs=2:normalize=0:duration=first[a]" \
       -map 0:v -map "[a]" -c:v rawvideo -c:a pcm_s16le "$tmp/rest_cue$i.nut"
    mv "$tmp/rest_cue$i.nut" "$tmp/rest$i.nut"
  fi
  parts+=("$tmp/rest$i.nut")
  inputs=()
  filter=""
  for p in "${!parts[@]}"; do inputs+=(-i "${parts[$p]}"); filter+="[$p:v][$p:a]"; done
  ff "${inputs[@]}" -filter_complex "${filter}concat=n=${#parts[@]}:v=1:a=1[v][a]" -map "[v]" -map "[a]" \
     -c:v libx264 -preset ultrafast -crf 30 -g 20 -pix_fmt yuv420p -c:a aac -b:a 96k "$out/ep$i.mp4"
  if (( has_intro )); then
    s=$((recap + cold))
    printf '  "ep%d.mp4": {"start": "00:00:%02d.000", "end": "00:00:%02d.000"}' "$i" "$s" "$((s + INTRO))" >> "$tmp/truth"
  else
    printf '  "ep%d.mp4": {"start": "00:00:00", "end": "00:00:00"}' "$i" >> "$tmp/truth"
  fi
  (( i < count )) && echo "," >> "$tmp/truth" || echo >> "$tmp/truth"
done
{ echo "{"; cat "$tmp/truth"; echo "}"; } > "$out/truth.json"
