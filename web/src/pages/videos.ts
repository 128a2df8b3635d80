import { api, type Job, type User, type Video } from "../api";
import { h, table, wrapTable } from "../dom";
import { formatDate, formatDuration, formatNumber, formatSize, plural, t } from "../i18n/i18n";
import { errorBox, pageTitle, type PageContext } from "../page";
import { jobCells, jobHeaders, videoStateBadge } from "./status";
import { mediaTimeline } from "./video_timeline";

// Owner names: an admin sees everyone's videos (names from /api/users), a dl-user only its own.
async function ownerNames(user: User): Promise<Map<number, string>> {
  if (user.role !== "admin") return new Map([[user.id, user.name]]);
  return new Map((await api.users()).map((u) => [u.id, u.name]));
}

function duration(video: Video): string {
  const seconds = video.info?.duration;
  return typeof seconds === "number" ? formatDuration(seconds) : t("common.none");
}

export async function videosPage(ctx: PageContext): Promise<Node> {
  const [videos, owners] = await Promise.all([api.videos(), ownerNames(ctx.user)]);
  const title = pageTitle(t("videos.title"));
  if (videos.length === 0) return h("div", {}, title, h("p", { class: "muted" }, t("videos.empty")));
  const rows = videos.map((v) => [
    h("a", { href: `/videos/${v.id}`, "data-link": true }, v.name),
    owners.get(v.owner_id) ?? `#${v.owner_id}`,
    duration(v),
    formatSize(v.size),
    videoStateBadge(v),
    formatDate(v.created),
  ]);
  return h(
    "div",
    {},
    title,
    h("p", { class: "muted", "data-testid": "video-count" }, plural("videos.count", videos.length)),
    wrapTable(table(t("videos.title"), [t("videos.col.name"), t("videos.col.owner"), t("videos.col.duration"), t("videos.col.size"), t("videos.col.status"), t("videos.col.added")], rows),
    ),
  );
}

function jobsOf(jobs: Job[], videoId: number): Job[] {
  return jobs.filter((j) => j.video_ids.includes(videoId));
}

function detailsList(video: Video, owners: Map<number, string>): HTMLElement {
  const media = video.info?.media?.streams?.find((stream) => stream.type === "video");
  return h(
    "dl",
    { class: "details" },
    h("dt", {}, t("videos.col.owner")), h("dd", {}, owners.get(video.owner_id) ?? `#${video.owner_id}`),
    h("dt", {}, t("videos.col.status")), h("dd", { "data-testid": "video-state" }, videoStateBadge(video)),
    h("dt", {}, t("videos.col.duration")), h("dd", {}, duration(video)),
    h("dt", {}, t("videos.col.size")), h("dd", {}, formatSize(video.size)),
    media?.width ? h("dt", {}, t("video.picture")) : null,
    media?.width
      ? h("dd", {}, t("video.media", { width: String(media.width), height: String(media.height ?? 0), fps: formatNumber(media.fps ?? 0, undefined, 2) }))
      : null,
    h("dt", {}, t("videos.col.added")), h("dd", {}, formatDate(video.created)),
  );
}

function jobsBlock(jobs: Job[]): HTMLElement {
  return jobs.length
    ? wrapTable(table(t("video.jobs"), jobHeaders(), jobs.map(jobCells)))
    : h("p", { class: "muted" }, t("video.noJobs"));
}

const busy = (video: Video, jobs: Job[]) =>
  video.state === "storing" || video.state === "arriving" || jobs.some((j) => j.state === "queued" || j.state === "running");

export async function videoPage(ctx: PageContext): Promise<Node> {
  const id = Number(ctx.params[0]);
  const [video, jobs, owners] = await Promise.all([api.video(id), api.jobs(), ownerNames(ctx.user)]);
  const detailsSlot = h("div", {}, detailsList(video, owners));
  const jobsSlot = h("div", {}, jobsBlock(jobsOf(jobs, id)));
  const prepareSlot = h("div", {});
  // While the arrival job (or another) runs, the details and jobs are refreshed; the player stays.
  let timer: number | undefined;
  const refresh = async () => {
    try {
      const [v, all] = await Promise.all([api.video(id), api.jobs()]);
      detailsSlot.replaceChildren(detailsList(v, owners));
      jobsSlot.replaceChildren(jobsBlock(jobsOf(all, id)));
      if (v.state === "ready" && !prepareSlot.firstChild) prepareSlot.append(prepareSection());
      if (busy(v, jobsOf(all, id))) timer = window.setTimeout(refresh, 1000);
    } catch {
      timer = window.setTimeout(refresh, 3000);
    }
  };
  if (busy(video, jobsOf(jobs, id))) timer = window.setTimeout(refresh, 1000);
  ctx.onDispose(() => window.clearTimeout(timer));

  const player = h("video", {
    controls: true,
    preload: "metadata",
    src: api.videoFileUrl(id),
    "aria-label": t("video.player", { name: video.name }),
    class: "player",
  });

  function prepareSection(): HTMLElement {
    const segment = h("input", { id: "prepare-segment", type: "number", min: 1, max: 3600, step: 1, value: 5 });
    const prepareStatus = h("div", { role: "status" });
    const form = h(
      "form",
      { class: "inline-form" },
      h("div", { class: "field" }, h("label", { for: "prepare-segment" }, t("video.segment")), segment),
      h("button", { type: "submit" }, t("video.prepareSubmit")),
      prepareStatus,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const job = await api.submitJob("prepare", [id], { segment: Number(segment.value), mode: "exact" });
        ctx.navigate(`/jobs/${job.id}`);
      } catch (error) {
        prepareStatus.replaceChildren(errorBox(error));
      }
    });
    return h("section", { "aria-labelledby": "prepare-title" }, h("h2", { id: "prepare-title" }, t("video.prepare")), form);
  }
  if (video.state === "ready") prepareSlot.append(prepareSection());

  const remove = h("button", { type: "button", class: "danger" }, t("video.delete"));
  remove.addEventListener("click", async () => {
    if (!window.confirm(t("video.deleteConfirm"))) return;
    try {
      await api.deleteVideo(id);
      ctx.navigate("/videos");
    } catch (error) {
      remove.after(errorBox(error));
    }
  });

  return h(
    "div",
    {},
    h("p", {}, h("a", { href: "/videos", "data-link": true }, "← " + t("common.back"))),
    pageTitle(t("video.title", { name: video.name })),
    h(
      "div",
      { class: "video-layout" },
      player,
      h("section", { "aria-labelledby": "details-title" }, h("h2", { id: "details-title" }, t("video.details")), detailsSlot),
    ),
    video.state === "ready" ? mediaTimeline(video, jobsOf(jobs, id), player, ctx) : null,
    h("section", { "aria-labelledby": "video-jobs-title" }, h("h2", { id: "video-jobs-title" }, t("video.jobs")), jobsSlot),
    prepareSlot,
    h("p", {}, remove),
  );
}
