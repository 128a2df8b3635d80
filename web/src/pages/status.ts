// Small shared pieces of the video and job pages: state badges, progress bars, job rows.
import type { Job, Video } from "../api";
import { h } from "../dom";
import { formatDate, formatPercent, hasMessage, t } from "../i18n/i18n";

export function known(key: string, fallback: string): string {
  // Stages and kinds added on the server later show as the server names them until translated.
  return hasMessage(key) ? t(key) : fallback;
}

export function jobStateBadge(job: Job): HTMLElement {
  return h("span", { class: `badge state-${job.state}` }, t(`job.state.${job.state}`));
}

export function jobStage(job: Job): string {
  return known(`job.stage.${job.stage}`, job.stage);
}

export function jobKind(job: Job): string {
  return known(`job.kind.${job.kind}`, job.kind);
}

export function videoStateBadge(video: Video): HTMLElement {
  return h("span", { class: `badge state-${video.state}` }, t(`videos.state.${video.state}`));
}

export function progressBar(value: number, label: string): HTMLElement {
  return h(
    "span",
    { class: "progress-cell" },
    h("progress", { max: 100, value: Math.round(value), "aria-label": label }),
    h("span", { class: "progress-text" }, formatPercent(value)),
  );
}

export function jobCells(job: Job): (Node | string)[] {
  return [
    h("a", { href: `/jobs/${job.id}`, "data-link": true }, `#${job.id}`),
    jobKind(job),
    job.video_ids.map((id) => `#${id}`).join(", "),
    jobStateBadge(job),
    jobStage(job),
    progressBar(job.progress, t("job.progressLabel", { id: job.id })),
    formatDate(job.created),
  ];
}

export function jobHeaders(): string[] {
  return [t("jobs.col.id"), t("jobs.col.kind"), t("jobs.col.videos"), t("jobs.col.state"), t("jobs.col.stage"), t("jobs.col.progress"), t("jobs.col.created")];
}
