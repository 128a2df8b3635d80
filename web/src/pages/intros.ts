// Intros (issue 12): one section per series (a finished intro detect job), every episode's intro on a
// timeline with its confidence and variant. Either boundary can be dragged (or moved with the arrow
// keys) to correct it; the correction is stored when released (PUT /api/intros/{job}/episodes/{video})
// and the series' intros download as intro labels (SPEC §2 form A); "learn again" queues an intro learn
// job that builds the series' intro library with the corrections in place of the detections.
import { api, type IntroEpisode, type IntroSeries } from "../api";
import { h } from "../dom";
import { formatNumber, plural, t } from "../i18n/i18n";
import { errorText, pageTitle, type PageContext } from "../page";

const seconds = (value: number) => t("review.seconds", { value: formatNumber(value, undefined, 2) });
const interval = (range: [number, number] | null) =>
  range ? t("intros.intro", { start: seconds(range[0]), end: seconds(range[1]) }) : t("intros.noIntro");

function episodeLength(episode: IntroEpisode): number {
  if (episode.duration && episode.duration > 0) return episode.duration;
  const end = (episode.corrected ?? episode.detected)?.[1] ?? 0;
  return Math.max(60, end * 1.5);
}

function episodeRow(series: IntroSeries, episode: IntroEpisode, status: HTMLElement): HTMLElement {
  const length = episodeLength(episode);
  const shown = episode.corrected ?? episode.detected;
  // No intro found: the handles wait at the start; the first move makes one.
  let hasIntro = Boolean(shown);
  let range: [number, number] = shown ? [shown[0], shown[1]] : [0, Math.min(10, length)];
  const region = h("div", { class: "intro-region" });
  const describe = h("p", { class: "muted intro-meta", "data-testid": "intro-meta" });
  const handle = (which: 0 | 1) =>
    h("div", {
      class: `intro-handle ${which ? "end" : "start"}`,
      role: "slider",
      tabindex: 0,
      "aria-label": t(which ? "intros.endOf" : "intros.startOf", { name: episode.name }),
      "aria-valuemin": 0,
      "aria-valuemax": formatNumber(length, "en", 2).replace(/,/g, ""),
      "data-boundary": which ? "end" : "start",
    });
  const handles = [handle(0), handle(1)];
  const track = h("div", { class: "intro-track" }, region, ...handles);

  const draw = () => {
    const [s, e] = range;
    region.style.left = `${(100 * s) / length}%`;
    region.style.width = `${(100 * (e - s)) / length}%`;
    region.hidden = !hasIntro;
    handles.forEach((el, i) => {
      el.style.left = `${(100 * range[i]) / length}%`;
      el.setAttribute("aria-valuenow", range[i].toFixed(2));
      el.setAttribute("aria-valuetext", seconds(range[i]));
    });
    const parts = [
      episode.corrected ? t("intros.corrected", { name: episode.corrected_by ?? "" }) : null,
      episode.corrected ? t("intros.detected", { interval: interval(episode.detected) }) : null,
      t("intros.confidence", { value: formatNumber(episode.confidence, undefined, 2) }),
      episode.variant !== null && episode.variant !== undefined ? t("intros.variant", { value: String(episode.variant) }) : null,
    ].filter(Boolean);
    describe.textContent = parts.join(" · ");
    current.textContent = hasIntro ? interval(range) : t("intros.noIntro");
  };
  const current = h("strong", { "data-testid": "intro-interval" });

  const save = async () => {
    try {
      const updated = await api.correctIntro(series.job.id, episode.video_id, range[0], range[1]);
      const fresh = updated.episodes.find((e) => e.video_id === episode.video_id);
      if (fresh) Object.assign(episode, fresh);
      row.dataset.corrected = "true";
      status.textContent = t("intros.saved", { name: episode.name, interval: interval(range) });
      draw();
    } catch (error) {
      status.textContent = t("intros.failed", { name: episode.name, message: errorText(error) });
    }
  };
  const move = (which: 0 | 1, value: number) => {
    const min = which ? range[0] + 0.1 : 0;
    const max = which ? length : range[1] - 0.1;
    range[which] = Math.round(Math.min(max, Math.max(min, value)) * 100) / 100;
    hasIntro = true;
    draw();
  };
  handles.forEach((el, i) => {
    const which = i as 0 | 1;
    el.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      el.setPointerCapture(event.pointerId);
      el.focus();
      const box = track.getBoundingClientRect();
      const onMove = (e: PointerEvent) => move(which, ((e.clientX - box.left) / box.width) * length);
      const onUp = () => {
        el.removeEventListener("pointermove", onMove);
        el.removeEventListener("pointerup", onUp);
        void save();
      };
      el.addEventListener("pointermove", onMove);
      el.addEventListener("pointerup", onUp);
    });
    let timer: number | undefined;
    el.addEventListener("keydown", (event) => {
      const step = event.shiftKey ? 1 : 0.1;
      const delta = { ArrowLeft: -step, ArrowDown: -step, ArrowRight: step, ArrowUp: step }[event.key];
      if (delta === undefined) return;
      event.preventDefault();
      move(which, range[which] + delta);
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void save(), 600);
    });
  });

  const row = h(
    "li",
    { class: "intro-episode", "data-video": episode.video_id, "data-corrected": String(Boolean(episode.corrected)) },
    h("div", { class: "intro-head" }, h("span", { class: "intro-name" }, episode.name), " ", current),
    episode.error ? h("p", { class: "error" }, episode.error) : track,
    describe,
  );
  draw();
  return row;
}

// Queues the series' re-learning (an intro learn job with the stored corrections) and opens its job.
function relearnButton(series: IntroSeries, status: HTMLElement, ctx: PageContext): HTMLElement {
  const button = h("button", { type: "button", class: "small", "data-action": "relearn", title: t("intros.relearnHint") }, t("intros.relearn"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const job = await api.relearnIntros(series.job.id);
      status.textContent = t("intros.relearnQueued", { id: String(job.id) });
      ctx.navigate(`/jobs/${job.id}`);
    } catch (error) {
      status.textContent = errorText(error);
      button.disabled = false;
    }
  });
  return button;
}

export async function introsPage(ctx: PageContext): Promise<Node> {
  const { series } = await api.intros();
  const title = pageTitle(t("intros.title"));
  if (series.length === 0) return h("div", {}, title, h("p", { class: "muted" }, t("intros.empty")));
  const status = h("p", { role: "status", class: "notice-line", "data-testid": "intro-status" });
  return h(
    "div",
    {},
    title,
    h("p", { class: "muted" }, t("intros.hint")),
    status,
    ...series.map((s) =>
      h(
        "section",
        { class: "intro-series", "aria-labelledby": `series-${s.job.id}`, "data-job": s.job.id },
        h("h2", { id: `series-${s.job.id}` }, t("intros.series", { id: String(s.job.id) })),
        h(
          "p",
          { class: "actions" },
          h("span", { class: "muted" }, plural("intros.episodes", s.episodes.length)),
          h("a", { class: "button small", href: api.introLabelsUrl(s.job.id), download: `intro_labels_job_${s.job.id}.json` }, t("intros.labels")),
          relearnButton(s, status, ctx),
        ),
        h("ol", { class: "intro-list" }, ...s.episodes.map((e) => episodeRow(s, e, status))),
      ),
    ),
  );
}
