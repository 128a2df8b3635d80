#!/usr/bin/env bash
# Extreme media for the damaged-media corpus (issue 14 §4), ffmpeg lavfi only, deterministic and small.
#   make_extreme_media.sh OUTDIR
# Writes into OUTDIR:
#   no_video_frames.mkv   a video track without a single frame beside 3 s of audio (zero-length stream)
#   no_audio_samples.mkv  3 s of video beside an audio track without a sample (zero-length stream)
#   no_frames_at_all.mkv  both tracks declared, neither has a packet
#   ts_backwards.ts       two MPEG-TS segments back to back: timestamps 10..13 s, then 0..3 s
#   stalled_pts.mkv       frames 30..40 have pts/dts 1 s in the past (the muxer clamps them: 11 equal pts)
#   tiny_1x1.mp4          a 1x1 H.264 video (4:4:4, 2 s at 5 fps)
#   wide_16384.mp4        a 16384x16 H.264 video (1 s at 5 fps; the widest picture H.264 levels allow)
#   header_*          1 kB H.264 files whose SPS states 16384x16384, 16384x8192 (.mkv, .ts), 8192x8192 (.mkv)
#   silent_3h.mkv         3 hours of silent AAC audio and a still picture at 1 fps (~1 MB)
#   audio_longer.mp4      2 s of picture, 6 s of audio
#   phone_vfr_rot90.mp4   variable frame rate (30 fps for 1 s, then ~10 fps, uneven), 4 s, display matrix rotated 90°
#   raw_4s.h264, raw_4s.hevc  raw elementary streams (no container, no timestamps): 4 s at 25 fps, a keyframe a second
# truth.json last: its presence means "made" (tests/support/test_support.cpp).
set -euo pipefail
out=${1:?usage: make_extreme_media.sh OUTDIR}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
picture=(-f lavfi -i testsrc=size=160x120:rate=25:duration=3)
sound=(-f lavfi -i sine=frequency=440:sample_rate=22050:duration=3)
h264=(-c:v libx264 -preset ultrafast -g 25 -pix_fmt yuv420p -threads 1)

ff "${picture[@]}" "${sound[@]}" -vf trim=end_frame=0 "${h264[@]}" -c:a aac "$out/no_video_frames.mkv"
ff "${picture[@]}" "${sound[@]}" -af atrim=end_sample=0 "${h264[@]}" -c:a aac "$out/no_audio_samples.mkv"
ff "${picture[@]}" "${sound[@]}" -vf trim=end_frame=0 -af atrim=end_sample=0 "${h264[@]}" -c:a aac \
   "$out/no_frames_at_all.mkv"

ff "${picture[@]}" "${sound[@]}" "${h264[@]}" -c:a aac -output_ts_offset 10 "$tmp/late.ts"
ff "${picture[@]}" "${sound[@]}" "${h264[@]}" -c:a aac "$tmp/early.ts"
cat "$tmp/late.ts" "$tmp/early.ts" > "$out/ts_backwards.ts"
ff "${picture[@]}" "${sound[@]}" "${h264[@]}" -c:a aac \
   -bsf:v "setts=pts=if(between(N\,30\,40)\,PTS-1000\,PTS):dts=if(between(N\,30\,40)\,DTS-1000\,DTS)" \
   "$out/stalled_pts.mkv"

ff -f lavfi -i color=c=red:s=16x16:rate=5:duration=2 -vf scale=1:1 -c:v libx264 -preset ultrafast -pix_fmt yuv444p \
   -threads 1 "$out/tiny_1x1.mp4"
ff -f lavfi -i color=c=red:s=16384x16:rate=5:duration=1 -c:v libx264 -preset ultrafast -crf 51 -pix_fmt yuv420p \
   -threads 1 "$out/wide_16384.mp4"
# Headers stating absurd sizes over a 16x16 picture's slices (1 kB files): 16384x16384 (FFmpeg itself refuses
# it), 16384x8192 in Matroska and MPEG-TS (over vidseg's VIDSEG_MAX_VIDEO_PIXELS), 8192x8192 (at the limit:
# decoded, in 100 MB frames).
ff -f lavfi -i color=c=blue:s=16x16:rate=5:duration=1 -c:v libx264 -preset ultrafast -profile:v baseline \
   -pix_fmt yuv420p -threads 1 -bsf:v h264_mp4toannexb -f h264 "$tmp/small.h264"
sps() { python3 "$(dirname "$0")/patch_h264_sps.py" "$tmp/small.h264" "$1" "$2" "$3"; }
sps "$out/header_16384x16384.h264" 16384 16384
sps "$tmp/16384x8192.h264" 16384 8192
ff -r 5 -i "$tmp/16384x8192.h264" -c copy "$out/header_16384x8192.mkv"
ff -r 5 -i "$tmp/16384x8192.h264" -c copy -f mpegts "$out/header_16384x8192.ts"
sps "$tmp/8192x8192.h264" 8192 8192
ff -r 5 -i "$tmp/8192x8192.h264" -c copy "$out/header_8192x8192.mkv"

ff -f lavfi -i color=c=gray:s=160x120:rate=1:duration=10800 -f lavfi -i anullsrc=r=8000:cl=mono -t 10800 \
   -c:v libx264 -preset ultrafast -g 600 -threads 1 -c:a aac -b:a 16k "$out/silent_3h.mkv"

ff -f lavfi -i testsrc=size=160x120:rate=25:duration=2 -f lavfi -i sine=frequency=440:sample_rate=22050:duration=6 \
   "${h264[@]}" -c:a aac "$out/audio_longer.mp4"

ff -f lavfi -i testsrc=size=320x180:rate=30:duration=4 -f lavfi -i sine=frequency=300:sample_rate=44100:duration=4 \
   -vf "select='lt(t\,1)+not(mod(n\,3))',setpts='if(lt(N\,30)\,N/30\,1+(N-30)/10+0.02*mod(N\,2))/TB'" -fps_mode vfr \
   -c:v libx264 -preset ultrafast -pix_fmt yuv420p -threads 1 -c:a aac "$tmp/vfr.mp4"
ff -i "$tmp/vfr.mp4" -c copy -metadata:s:v:0 rotate=90 "$out/phone_vfr_rot90.mp4"

ff -f lavfi -i testsrc=size=160x120:rate=25:duration=4 "${h264[@]}" -f h264 "$out/raw_4s.h264"
ff -f lavfi -i testsrc=size=160x120:rate=25:duration=4 -c:v libx265 -preset ultrafast -pix_fmt yuv420p \
   -x265-params log-level=error:keyint=25:min-keyint=25:scenecut=0:pools=1 -f hevc "$out/raw_4s.hevc"

echo '{"made_by": "make_extreme_media.sh"}' > "$out/truth.json"
