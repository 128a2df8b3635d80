import { api, type Job, type JobFile } from "../api";
import { h, table, wrapTable } from "../dom";
import { formatDate, formatSize, plural, t } from "../i18n/i18n";
import { createJobUpdates, ended } from "../job_updates";
import { errorBox, pageTitle, type PageContext } from "../page";
import { jobCells, jobHeaders, jobKind, jobStage, jobStateBadge, progressBar } from "./status";
import { trainedModelBlock, trainModelForm } from "./train_model";

export async function jobsPage(ctx: PageContext): Promise<Node> {
  const jobs = await api.jobs();
  // The list refreshes while any job is still going.
  if (jobs.some((j) => !ended(j))) {
    const timer = window.setTimeout(ctx.rerender, 2000);
    ctx.onDispose(() => window.clearTimeout(timer));
  }
  const title = pageTitle(t("jobs.title"));
  if (jobs.length === 0) return h("div", {}, title, h("p", { class: "muted" }, t("jobs.empty")));
  return h(
    "div",
    {},
    title,
    h("p", { class: "muted" }, plural("jobs.count", jobs.length)),
    wrapTable(table(t("jobs.title"), jobHeaders(), jobs.map(jobCells))),
  );
}

// `vidseg prepare` writes one clip per segment: part_films/segment_<i>.<ext>.
function fragmentCount(files: JobFile[]): number {
  return files.filter((f) => /(^|\/)part_films\/segment_\d+\.\w+$/.test(f.name)).length;
}

// A finished dataset build: its review page and the whole dataset as one zip.
function datasetLinks(id: number, files: JobFile[]): HTMLElement | null {
  if (!files.some((f) => /(^|\/)metadata\.jsonl$/.test(f.name))) return null;
  return h(
    "p",
    { class: "actions" },
    h("a", { class: "button primary", href: `/datasets/${id}/review`, "data-link": true }, t("review.open")),
    h("a", { class: "button", href: api.jobZipUrl(id), download: `job_${id}.zip` }, t("review.downloadZip")),
  );
}

// A finished keyframes learn job: how a later dataset build chooses its model (by this job's id).
function keyframeModelHint(id: number, files: JobFile[]): HTMLElement | null {
  if (!files.some((f) => f.name === "keyframes.model")) return null;
  return h("p", { "data-testid": "keyframe-model" }, t("job.keyframeModel", { option: `model:${id}` }));
}

function summary(job: Job): HTMLElement {
  return h(
    "dl",
    { class: "details" },
    h("dt", {}, t("jobs.col.kind")), h("dd", {}, jobKind(job)),
    h("dt", {}, t("jobs.col.videos")), h("dd", {}, ...job.video_ids.map((v) => h("a", { href: `/videos/${v}`, "data-link": true, class: "sep" }, `#${v}`))),
    h("dt", {}, t("jobs.col.state")), h("dd", { "data-testid": "job-state", "data-state": job.state }, jobStateBadge(job)),
    h("dt", {}, t("jobs.col.stage")), h("dd", { "data-testid": "job-stage" }, jobStage(job)),
    h("dt", {}, t("jobs.col.progress")), h("dd", {}, progressBar(job.progress, t("job.progressLabel", { id: job.id }))),
    h("dt", {}, t("jobs.col.created")), h("dd", {}, formatDate(job.created)),
    h("dt", {}, t("job.started")), h("dd", {}, formatDate(job.started)),
    h("dt", {}, t("job.finished")), h("dd", {}, formatDate(job.finished)),
    h("dt", {}, t("job.attemptsLabel")), h("dd", {}, plural("job.attempts", job.attempts)),
  );
}

export async function jobPage(ctx: PageContext): Promise<Node> {
  const id = Number(ctx.params[0]);
  const first = await api.job(id);
  const summarySlot = h("div", { "aria-live": "polite" }, summary(first));
  const errorSlot = h("div", {});
  const actions = h("div", { class: "actions" });
  const logSlot = h("div", {});
  const filesSlot = h("div", {});

  const drawActions = (job: Job) => {
    const buttons: HTMLElement[] = [];
    if (!ended(job)) {
      const cancel = h("button", { type: "button", class: "danger" }, t("job.cancel"));
      cancel.addEventListener("click", () => void act(() => api.cancelJob(id)));
      buttons.push(cancel);
    } else if (job.state !== "finished" || job.kind !== "arrival") {
      const retry = h("button", { type: "button" }, t("job.retry"));
      retry.addEventListener("click", () => void act(() => api.retryJob(id)));
      buttons.push(retry);
    }
    actions.replaceChildren(...buttons);
    errorSlot.replaceChildren(job.error ? h("p", { class: "error", role: "alert" }, t("job.error", { message: job.error })) : "");
  };
  const drawResults = async () => {
    const [lines, files] = await Promise.all([api.jobLog(id), api.jobFiles(id)]);
    logSlot.replaceChildren(
      lines.length ? h("pre", { class: "log", tabindex: 0 }, lines.map((l) => `${formatDate(l.time)}  ${l.line}`).join("\n")) : h("p", { class: "muted" }, t("job.noLog")),
    );
    const fragments = fragmentCount(files);
    filesSlot.replaceChildren(
      files.length
        ? h(
            "div",
            {},
            fragments ? h("p", { "data-testid": "fragment-count" }, plural("job.fragments", fragments)) : null,
            datasetLinks(id, files),
            keyframeModelHint(id, files),
            trainModelForm(id, files, ctx),
            await trainedModelBlock(id, files),
            h("ul", { class: "files" }, ...files.map((f) => h("li", {}, h("a", { href: f.url, download: "" }, f.name), " ", h("span", { class: "muted" }, formatSize(f.size))))),
          )
        : h("p", { class: "muted" }, t("job.noFiles")),
    );
  };
  let stop = () => {};
  const follow = () => {
    stop();
    stop = createJobUpdates().watch(
      id,
      (job) => {
        summarySlot.replaceChildren(summary(job));
        drawActions(job);
        if (ended(job)) void drawResults();
      },
      (error) => errorSlot.replaceChildren(errorBox(error)),
    );
  };
  const act = async (call: () => Promise<Job>) => {
    try {
      const job = await call();
      summarySlot.replaceChildren(summary(job));
      drawActions(job);
      follow();
    } catch (error) {
      errorSlot.replaceChildren(errorBox(error));
    }
  };
  drawActions(first);
  await drawResults();
  if (!ended(first)) follow();
  ctx.onDispose(() => stop());

  return h(
    "div",
    {},
    h("p", {}, h("a", { href: "/jobs", "data-link": true }, "← " + t("common.back"))),
    pageTitle(t("job.title", { id: String(id) })),
    summarySlot,
    errorSlot,
    actions,
    h("section", { "aria-labelledby": "files-title" }, h("h2", { id: "files-title" }, t("job.files")), filesSlot),
    h("section", { "aria-labelledby": "log-title" }, h("h2", { id: "log-title" }, t("job.log")), logSlot),
  );
}
