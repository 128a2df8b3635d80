"""ffmpeg rendering of benchmark blocks (cached by the hash of their spec) and of final episodes.

A block is a piece of an episode with one continuous picture and sound: a list of video scenes and a list of
audio layers, rendered to a lossless-enough intermediate (x264 CRF 16 + PCM in Matroska) at one frame rate
(FPS) and one sample rate (RATE). Every block lasts a whole number of frames, so the boundaries between blocks
- the ground truth - are exact in the episode made by concatenating them.
"""

import hashlib
import json
import os
import subprocess

FPS = 25
RATE = 22050


def q(seconds):
    """Round to a whole number of frames (the timeline's grid)."""
    return round(seconds * FPS) / FPS


class Renderer:
    def __init__(self, cache_dir, width, height, font, clip, verbose=False):
        self.cache = cache_dir
        self.w, self.h = width, height
        self.font = font
        self.clip = clip
        self.verbose = verbose
        self.rendered = 0
        os.makedirs(cache_dir, exist_ok=True)
        for name in os.listdir(cache_dir):  # left by an interrupted run (one generator per OUT at a time)
            if name.startswith("part-"):
                os.remove(os.path.join(cache_dir, name))

    # ---- helpers -------------------------------------------------------------------------------------------
    def _path(self, spec, ext="mkv"):
        key = hashlib.sha1(json.dumps([spec, self.w, self.h, FPS, RATE], sort_keys=True).encode()).hexdigest()
        return os.path.join(self.cache, key[:20] + "." + ext)

    def _run(self, args, out):
        # Written beside the cache, then renamed: a half-written episode never sits in a series folder.
        tmp = os.path.join(self.cache, "part-" + os.path.basename(out))
        cmd = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"] + args + [tmp]
        if self.verbose:
            print(" ".join(cmd))
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if res.returncode != 0:
            raise RuntimeError("ffmpeg failed (%d) for %s:\n%s\n%s" % (res.returncode, out, " ".join(cmd),
                                                                       res.stderr[-3000:]))
        os.replace(tmp, out)
        self.rendered += 1

    def _text(self, text, size, y, color="white", box=False, enable=None):
        esc = text.replace("\\", "").replace(":", "\\:").replace("'", "")
        parts = ["text='%s'" % esc, "fontsize=%d" % size, "fontcolor=%s" % color, "x=(w-text_w)/2", "y=%s" % y]
        if self.font:
            parts.insert(0, "fontfile=%s" % self.font)
        if box:
            parts += ["box=1", "boxcolor=black@0.45", "boxborderw=%d" % max(4, size // 4)]
        if enable:
            parts.append("enable='%s'" % enable)
        return "drawtext=" + ":".join(parts)

    def espeak(self, text, voice, seed):
        """A sentence spoken by espeak-ng (cached WAV); voice/pitch/speed vary with the seed."""
        spec = {"espeak": text, "voice": voice, "seed": seed}
        out = self._path(spec, "wav")
        if not os.path.exists(out):
            tmp = out + ".part.wav"
            speed = 140 + seed % 40
            pitch = 25 + (seed * 7) % 50
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", tmp, text],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            os.replace(tmp, out)
        return out

    # ---- video scenes --------------------------------------------------------------------------------------
    def _scene(self, scene, idx, inputs):
        """Adds the inputs of one scene and returns its filter chain ending in [v{idx}]."""
        n = int(round(scene["dur"] * FPS))
        w, h = self.w, self.h
        kind = scene["kind"]
        k = sum(1 for a in inputs if a == "-i")
        if kind == "photo":
            inputs += ["-i", scene["path"]]
            z0, z1 = scene["zoom"]
            (x0, y0), (x1, y1) = scene["pan"]
            chain = ("[%d:v]scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,"
                     "zoompan=z='%.4f+(%.4f)*on/%d':x='(iw-iw/zoom)*(%.3f+(%.3f)*on/%d)':"
                     "y='(ih-ih/zoom)*(%.3f+(%.3f)*on/%d)':d=%d:s=%dx%d:fps=%d,hue=h=%d:s=%.2f"
                     % (k, 2 * w, 2 * h, 2 * w, 2 * h, z0, z1 - z0, n, x0, x1 - x0, n, y0, y1 - y0, n, n, w, h,
                        FPS, scene.get("hue", 0), scene.get("sat", 1.0)))
            if scene.get("mirror"):
                chain += ",hflip"
        elif kind == "clip":
            c = self.clip
            inputs += ["-framerate", str(FPS), "-loop", "1", "-start_number", str(c["first"]), "-i",
                       os.path.join(c["dir"], "frame_%06d.jpg")]
            start = scene.get("start_frame", 0)
            chain = ("[%d:v]trim=start_frame=%d:end_frame=%d,setpts=PTS-STARTPTS,"
                     "scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,hue=h=%d"
                     % (k, start, start + n, w, h, w, h, scene.get("hue", 0)))
        elif kind == "life":
            inputs += ["-f", "lavfi", "-i",
                       "life=s=%dx%d:seed=%d:rate=%d:mold=12:ratio=%.2f:life_color=%s:death_color=%s:mold_color=%s"
                       % (w // 4, h // 4, scene["seed"], FPS, scene.get("ratio", 0.4), scene["c1"], scene["c2"],
                          scene["c3"])]
            chain = "[%d:v]scale=%d:%d:flags=neighbor" % (k, w, h)
        elif kind == "gradients":
            # Colours and end points given explicitly: with only a seed, ffmpeg 5.1's gradients source draws
            # different pictures on every run (the benchmark must be reproducible).
            px = scene["points"]
            colors = "".join(":c%d=%s" % (i, c) for i, c in enumerate(scene["colors"]))
            inputs += ["-f", "lavfi", "-i", "gradients=s=%dx%d:rate=%d:seed=%d:n=%d:speed=%.3f:type=%d%s"
                       ":x0=%d:y0=%d:x1=%d:y1=%d"
                       % (w, h, FPS, scene["seed"], scene["n"], scene["speed"], scene["type"], colors,
                          px[0] * w, px[1] * h, px[2] * w, px[3] * h)]
            chain = "[%d:v]null" % k
        elif kind == "cellauto":
            inputs += ["-f", "lavfi", "-i", "cellauto=s=%dx%d:rule=%d:seed=%d:rate=%d:scroll=1:full=1"
                       % (w // 2, h // 2, scene["rule"], scene["seed"], FPS)]
            chain = ("[%d:v]scale=%d:%d:flags=neighbor,format=rgb24,colorchannelmixer=rr=%.2f:gg=%.2f:bb=%.2f"
                     % (k, w, h, scene["mix"][0], scene["mix"][1], scene["mix"][2]))
        elif kind == "card":
            inputs += ["-f", "lavfi", "-i", "color=c=%s:s=%dx%d:r=%d" % (scene["bg"], w, h, FPS)]
            chain = "[%d:v]null" % k
            lines = scene["lines"]
            for i, (text, size) in enumerate(lines):
                y = "(h-text_h)/2%+d" % int((i - (len(lines) - 1) / 2.0) * h * 0.22)
                chain += "," + self._text(text, int(size * h / 270.0), y, scene.get("fg", "white"))
            if scene.get("fade"):
                chain += ",fade=t=in:st=0:d=0.4,fade=t=out:st=%.3f:d=0.4" % max(0.0, scene["dur"] - 0.4)
        else:
            raise ValueError("unknown scene kind " + kind)
        if scene.get("caption"):
            chain += "," + self._text(scene["caption"], max(10, h // 16), "h-text_h-%d" % (h // 12), box=True)
        chain += ",trim=end_frame=%d,setpts=PTS-STARTPTS,fps=%d,format=yuv420p,setsar=1[v%d]" % (n, FPS, idx)
        return chain

    # ---- audio layers --------------------------------------------------------------------------------------
    def _layer(self, layer, idx, inputs, dur):
        """Adds one audio layer's inputs; returns its filter chain ending in [a{idx}]."""
        k = sum(1 for a in inputs if a == "-i")
        kind = layer["kind"]
        delay = int(round(layer.get("at", 0.0) * 1000))
        gain = layer.get("gain_db", 0.0)
        if kind == "file":
            if layer.get("seek"):
                inputs += ["-ss", "%.3f" % layer["seek"]]
            inputs += ["-i", layer["path"]]
        elif kind == "synth":
            # "seek": start that far into the synthesised piece (a cue taken from the middle of a theme).
            seek = layer.get("seek", 0.0)
            inputs += ["-f", "lavfi", "-i", "aevalsrc=%s:s=%d:d=%.3f" % (layer["expr"], RATE, layer["dur"] + seek)]
        elif kind == "noise":
            inputs += ["-f", "lavfi", "-i", "anoisesrc=d=%.3f:c=%s:r=%d:a=%.3f:seed=%d"
                       % (dur, layer.get("color", "brown"), RATE, layer["amp"], layer["seed"])]
        else:
            raise ValueError("unknown layer kind " + kind)
        chain = "[%d:a]aresample=%d,aformat=sample_fmts=fltp:channel_layouts=mono" % (k, RATE)
        if kind == "synth" and layer.get("seek"):
            chain += ",atrim=start=%.3f,asetpts=N/SR/TB" % layer["seek"]
        if layer.get("dur") and kind == "file":
            chain += ",atrim=duration=%.3f" % layer["dur"]
        if layer.get("fade_in"):
            chain += ",afade=t=in:d=%.3f" % layer["fade_in"]
        if layer.get("fade_out") and layer.get("dur"):
            chain += ",afade=t=out:st=%.3f:d=%.3f" % (max(0.0, layer["dur"] - layer["fade_out"]), layer["fade_out"])
        chain += ",volume=%.2fdB" % gain
        if delay > 0:
            chain += ",adelay=%d" % delay
        chain += "[a%d]" % idx
        return chain

    def block(self, spec):
        """Render {"dur", "scenes": [...], "layers": [...]} once; returns the cached path."""
        out = self._path(spec)
        if os.path.exists(out):
            return out
        dur = spec["dur"]
        inputs, chains = [], []
        for i, scene in enumerate(spec["scenes"]):
            chains.append(self._scene(scene, i, inputs))
        nv = len(spec["scenes"])
        chains.append("".join("[v%d]" % i for i in range(nv)) + "concat=n=%d:v=1:a=0[vout]" % nv)
        for i, layer in enumerate(spec["layers"]):
            chains.append(self._layer(layer, i, inputs, dur))
        na = len(spec["layers"])
        samples = int(round(dur * RATE))
        chains.append("".join("[a%d]" % i for i in range(na)) +
                      "amix=inputs=%d:normalize=0:duration=longest,apad,atrim=end_sample=%d,alimiter=limit=0.9[aout]"
                      % (na, samples))
        args = inputs + ["-filter_complex", ";".join(chains), "-map", "[vout]", "-map", "[aout]",
                         "-frames:v", str(int(round(dur * FPS))), "-c:v", "libx264", "-preset", "ultrafast",
                         "-crf", "16", "-g", str(FPS * 2), "-threads", "2", "-c:a", "pcm_s16le", "-ar", str(RATE),
                         "-ac", "1"]
        self._run(args, out)
        return out

    def derive(self, spec):
        """A block made from another block: {"src", "start", "dur"} (a trimmed copy) plus optional audio
        "layers" mixed over it (speech over the intro)."""
        out = self._path(spec)
        if os.path.exists(out):
            return out
        start, dur = spec["start"], spec["dur"]
        inputs = ["-i", spec["src"]]
        n0, n = int(round(start * FPS)), int(round(dur * FPS))
        s0, s = int(round(start * RATE)), int(round(dur * RATE))
        # "cover": {"bg", "text"} paints another picture over the trimmed one (a title card of the episode's
        # own); "mute": the trimmed sound is dropped (only the layers are heard).
        cover = ""
        if spec.get("cover"):
            c = spec["cover"]
            cover = ",drawbox=x=0:y=0:w=iw:h=ih:color=%s:t=fill,%s" % (
                c["bg"], self._text(c["text"], max(12, self.h // 7), "(h-text_h)/2"))
        chains = ["[0:v]trim=start_frame=%d:end_frame=%d,setpts=PTS-STARTPTS%s[vout]" % (n0, n0 + n, cover),
                  "[0:a]atrim=start_sample=%d:end_sample=%d,asetpts=N/SR/TB%s%s[base]"
                  % (s0, s0 + s, ",afade=t=out:st=%.3f:d=%.3f" % (dur - spec["fade_out"], spec["fade_out"])
                     if spec.get("fade_out") else "", ",volume=0" if spec.get("mute") else "")]
        layers = spec.get("layers", [])
        for i, layer in enumerate(layers):
            chains.append(self._layer(layer, i, inputs, dur))
        chains.append("[base]" + "".join("[a%d]" % i for i in range(len(layers))) +
                      "amix=inputs=%d:normalize=0:duration=first,apad,atrim=end_sample=%d,alimiter=limit=0.9[aout]"
                      % (1 + len(layers), s))
        args = inputs + ["-filter_complex", ";".join(chains), "-map", "[vout]", "-map", "[aout]",
                         "-frames:v", str(n), "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16",
                         "-g", str(FPS * 2), "-threads", "2", "-c:a", "pcm_s16le", "-ar", str(RATE), "-ac", "1"]
        self._run(args, out)
        return out

    # ---- final episode -------------------------------------------------------------------------------------
    def episode(self, blocks, profile, out):
        """Concatenate block files and encode with the episode's profile (codec, size, rate, loudness)."""
        p = profile
        if p.get("copy_video"):
            # The cheap form (long seasons): the blocks' H.264 (same canvas, 25 fps, each opening on a
            # keyframe) is copied as it is by the concat demuxer; only the sound is encoded.
            listing = os.path.join(self.cache, "list-" + os.path.basename(out) + ".txt")
            with open(listing, "w") as f:
                f.writelines("file '%s'\n" % os.path.abspath(b) for b in blocks)
            args = ["-f", "concat", "-safe", "0", "-i", listing, "-map", "0:v", "-map", "0:a", "-c:v", "copy",
                    "-af", "volume=%.1fdB,aresample=%d" % (p.get("gain_db", 0.0), p.get("ar", 44100)),
                    "-c:a", p.get("acodec", "aac"), "-b:a", p.get("ab", "96k"), "-ac", str(p.get("ac", 2))]
            if out.endswith(".mp4"):
                args += ["-movflags", "+faststart"]
            self._run(args, out)
            os.remove(listing)
            return
        inputs, pads = [], ""
        for i, b in enumerate(blocks):
            inputs += ["-i", b]
            pads += "[%d:v][%d:a]" % (i, i)
        p = profile
        vf = "scale=%d:%d,fps=%s,format=yuv420p,setsar=1" % (p["w"], p["h"], p["fps"])
        af = "volume=%.1fdB" % p.get("gain_db", 0.0)
        if p.get("loudnorm"):
            af = "loudnorm=I=%.1f:TP=-1.5:LRA=11" % p["loudnorm"]
        af += ",aresample=%d" % p.get("ar", 44100)
        streams = p.get("streams", "av")  # "a" = audio-only episode, "v" = video-only (issue 4 §8)
        chains = [pads + "concat=n=%d:v=1:a=1[cv][ca]" % len(blocks),
                  "[cv]" + (vf + "[vo]" if "v" in streams else "nullsink"),
                  "[ca]" + (af + "[ao]" if "a" in streams else "anullsink")]
        args = inputs + ["-filter_complex", ";".join(chains), "-threads", "2"]
        args += (["-map", "[vo]"] if "v" in streams else []) + (["-map", "[ao]"] if "a" in streams else [])
        if "v" not in streams:
            args += ["-c:a", p.get("acodec", "aac"), "-b:a", p.get("ab", "96k"), "-ac", str(p.get("ac", 2))]
            self._run(args, out)
            return
        vc = p.get("vcodec", "libx264")
        args += ["-c:v", vc]
        if vc in ("libx264", "libx265"):
            args += ["-preset", p.get("preset", "veryfast"), "-crf", str(p.get("crf", 26))]
            if vc == "libx265":
                args += ["-x265-params", "log-level=error", "-tag:v", "hvc1"]
        elif vc == "libvpx":
            args += ["-deadline", "realtime", "-cpu-used", "8", "-b:v", p.get("vb", "600k")]
        else:
            args += ["-b:v", p.get("vb", "500k")]
        args += ["-g", str(p.get("gop", 50))]
        if "a" in streams:
            args += ["-c:a", p.get("acodec", "aac"), "-b:a", p.get("ab", "96k"), "-ac", str(p.get("ac", 2))]
        if out.endswith(".mp4") or out.endswith(".mov"):
            args += ["-movflags", "+faststart"]
        self._run(args, out)
