// The video page's sound and timeline (issue 12): the audio waveform (wavesurfer.js, drawn from the
// peaks the server computed from the 16 kHz WAV the arrival job extracted, following the player), and
// one track per kind of result the video has — the annotated intervals of its dataset builds, the model's predicted patterns, the
// detected (or hand-corrected) intro — each interval a button that seeks the player there.
import WaveSurfer from "wavesurfer.js";
import { api, type Job, type Video } from "../api";
import { h } from "../dom";
import { formatNumber, t } from "../i18n/i18n";
import type { PageContext } from "../page";

export interface TimelineInterval { start: number; end: number; label: string }
interface Track { kind: "annotated" | "predicted" | "intro"; intervals: TimelineInterval[] }

const seconds = (value: number) => t("review.seconds", { value: formatNumber(value, undefined, 2) });
const stem = (key: string) => key.slice(key.lastIndexOf("/") + 1).replace(/\.[^.]*$/, "");

// The page's style nonce (index.html, filled in by the server): wavesurfer styles its shadow root with
// a <style> element, which the Content-Security-Policy lets through only with this nonce.
function styleNonce(): string | undefined {
  const nonce = document.querySelector<HTMLMetaElement>('meta[name="vidseg-csp-nonce"]')?.content;
  return nonce && !nonce.startsWith("__") ? nonce : undefined;
}

// The waveform from the peaks the server computed from the extracted WAV (GET /api/videos/{id}/peaks):
// a few kilobytes, not the whole WAV decoded in the browser.
async function waveform(video: Video, player: HTMLVideoElement, slot: HTMLElement, ctx: PageContext): Promise<void> {
  const peaks = await api.videoPeaks(video.id).catch(() => null);
  if (!peaks || !peaks.peaks.length) return;
  const container = h("div", { class: "waveform", role: "img", "aria-label": t("video.waveform", { name: video.name }), "data-testid": "waveform" });
  slot.replaceChildren(container);
  const surfer = WaveSurfer.create({
    container,
    media: player,
    peaks: [peaks.peaks],
    duration: peaks.duration,
    height: 64,
    waveColor: "#6b7580",
    progressColor: "#0b5cad",
    cursorColor: "#a4161a",
    interact: true,
    cspNonce: styleNonce(),
  });
  ctx.onDispose(() => surfer.destroy());
}

// Builds of the same export repeat their intervals: each is shown once.
function distinct(intervals: TimelineInterval[]): TimelineInterval[] {
  const seen = new Set<string>();
  return intervals.filter((iv) => {
    const key = `${iv.start}|${iv.end}|${iv.label}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// A predict job's result (predictions.json, the document of `vidseg predict --out`).
interface PredictionsDocument { model: string; videos: { video_id?: number; intervals: { label: string; start: number; end: number; score: number }[] }[] }

async function predictedIntervals(job: Job, video: Video): Promise<TimelineInterval[]> {
  const file = (await api.jobFiles(job.id)).find((f) => f.name === "predictions.json");
  if (!file) return [];
  const response = await fetch(file.url, { credentials: "same-origin" });
  if (!response.ok) return [];
  const doc = (await response.json()) as PredictionsDocument;
  return doc.videos
    .filter((v) => v.video_id === undefined || v.video_id === video.id)
    .flatMap((v) => v.intervals.map((iv) => ({ start: iv.start, end: iv.end, label: iv.label })));
}

// The tracks of this video from its finished jobs: dataset builds (annotated intervals of the
// fragments cut from it), predict jobs (the model's intervals) and intro detections (the corrected
// intro when there is one).
async function tracks(jobs: Job[], video: Video): Promise<Track[]> {
  const annotated: TimelineInterval[] = [];
  const predicted: TimelineInterval[] = [];
  const intro: TimelineInterval[] = [];
  const lesson = stem(video.key);
  const finished = jobs.filter((j) => j.state === "finished");
  await Promise.all([
    ...finished
      .filter((j) => j.kind === "dataset build")
      .map(async (j) => {
        const review = await api.review(j.id).catch(() => null);
        for (const item of review?.items ?? [])
          if (item.lesson === lesson) annotated.push({ start: item.start, end: item.end, label: item.patterns.join(", ") || t("review.noPattern") });
      }),
    ...finished
      .filter((j) => j.kind === "predict" && j.video_ids.includes(video.id))
      .map(async (j) => {
        predicted.push(...(await predictedIntervals(j, video).catch(() => [])));
      }),
  ]);
  if (finished.some((j) => j.kind === "intro detect")) {
    const { series } = await api.intros();
    for (const s of series)
      for (const e of s.episodes) {
        const range = e.video_id === video.id ? (e.corrected ?? e.detected) : null;
        if (range) intro.push({ start: range[0], end: range[1], label: t("video.introLabel") });
      }
  }
  const out: Track[] = [];
  if (annotated.length) out.push({ kind: "annotated", intervals: distinct(annotated).sort((a, b) => a.start - b.start) });
  if (predicted.length) out.push({ kind: "predicted", intervals: distinct(predicted).sort((a, b) => a.start - b.start) });
  if (intro.length) out.push({ kind: "intro", intervals: distinct(intro) });
  return out;
}

// Overlapping intervals go to separate rows of the lane (first row where each fits), so that no two
// buttons cover each other.
function rows(intervals: TimelineInterval[]): number[] {
  const ends: number[] = [];
  return intervals.map((iv) => {
    let row = ends.findIndex((end) => end <= iv.start);
    if (row < 0) row = ends.push(0) - 1;
    ends[row] = iv.end;
    return row;
  });
}

function trackRow(track: Track, duration: number, player: HTMLVideoElement): HTMLElement {
  const name = t(`video.track.${track.kind}`);
  const placed = rows(track.intervals);
  const lane = h(
    "div",
    { class: "track-lane", role: "group", "aria-labelledby": `track-${track.kind}` },
    ...track.intervals.map((iv, i) => segment(iv, duration, player, placed[i])),
  );
  lane.style.height = `${2 * (Math.max(0, ...placed) + 1)}rem`;
  return h(
    "div",
    { class: `timeline-track track-${track.kind}`, "data-track": track.kind },
    h("span", { class: "track-name", id: `track-${track.kind}` }, name),
    lane,
  );
}

// Positioned through the CSSOM: the server's CSP allows no inline style attributes.
function segment(iv: TimelineInterval, duration: number, player: HTMLVideoElement, row: number): HTMLElement {
  const el = h(
    "button",
    {
      type: "button",
      class: "segment",
      "aria-label": t("video.seekTo", { label: iv.label, start: seconds(iv.start), end: seconds(iv.end) }),
      title: iv.label,
      "data-start": iv.start,
      onclick: () => {
        player.currentTime = iv.start;
      },
    },
    h("span", { class: "segment-text" }, iv.label),
  );
  el.style.left = `${(100 * iv.start) / duration}%`;
  el.style.width = `${Math.max(0.5, (100 * (iv.end - iv.start)) / duration)}%`;
  el.style.top = `${2 * row + 0.15}rem`;
  return el;
}

export function mediaTimeline(video: Video, jobs: Job[], player: HTMLVideoElement, ctx: PageContext): HTMLElement {
  const waveSlot = h("div", {});
  const trackSlot = h("div", {}, h("p", { class: "muted" }, t("common.loading")));
  void waveform(video, player, waveSlot, ctx).catch(() => waveSlot.replaceChildren());
  void tracks(jobs, video)
    .then((list) => {
      const duration = video.info?.duration ?? Math.max(1, ...list.flatMap((tr) => tr.intervals.map((i) => i.end)));
      trackSlot.replaceChildren(
        list.length
          ? h("div", { class: "timeline", "data-testid": "timeline" }, ...list.map((tr) => trackRow(tr, duration, player)))
          : h("p", { class: "muted" }, t("video.noTimeline")),
      );
    })
    .catch(() => trackSlot.replaceChildren(h("p", { class: "muted" }, t("video.noTimeline"))));
  return h(
    "section",
    { "aria-labelledby": "timeline-title" },
    h("h2", { id: "timeline-title" }, t("video.timeline")),
    waveSlot,
    trackSlot,
  );
}
