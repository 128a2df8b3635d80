// Label Studio (issue 12 §2): the deployment's connection, the user's projects, and a new project made
// from a pattern list (typed, or an uploaded patterns.xlsx / .csv / .txt) and some ready videos. The
// server records a project before it calls Label Studio, so a failed creation still shows in the list
// (state "error" with the reason) and its page offers the retry.
import { api, ApiError, type LabelStudioProject, type LabelStudioStatus, type PatternListInput, type Video } from "../api";
import { h, table, wrapTable } from "../dom";
import { formatDate, hasMessage, t } from "../i18n/i18n";
import { errorText, pageTitle, type PageContext } from "../page";
import { known } from "./status";

// A Label Studio failure as the user reads it: what happened in their words, the server's detail after.
export function labelStudioErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    const key = `ls.error.${error.code}`;
    if (hasMessage(key)) return t(key, { message: error.message });
  }
  return errorText(error);
}

export function projectStateBadge(project: LabelStudioProject): HTMLElement {
  const key = `ls.state.${project.state}`;
  return h("span", { class: `badge state-${project.state}`, "data-testid": "ls-state" }, known(key, project.state));
}

export function statusLine(status: LabelStudioStatus): HTMLElement {
  if (!status.configured) return h("p", { class: "warning", "data-testid": "ls-status" }, t("ls.notConfigured"));
  if (status.error) {
    const key = `ls.error.${status.error.code}`;
    return h(
      "p",
      { class: "error", role: "alert", "data-testid": "ls-status" },
      hasMessage(key) ? t(key, { message: status.error.message }) : t("common.error", { message: status.error.message }),
    );
  }
  return h("p", { class: "muted", "data-testid": "ls-status" }, t("ls.connected", { url: status.url, user: status.user ?? "" }));
}

function projectsTable(projects: LabelStudioProject[]): HTMLElement {
  if (!projects.length) return h("p", { class: "muted" }, t("ls.noProjects"));
  return wrapTable(
    table(
      t("ls.projects"),
      [t("ls.col.name"), t("ls.col.state"), t("ls.col.videos"), t("ls.col.tasks"), t("ls.col.lastPull"), t("ls.col.created")],
      projects.map((p) => [
        h("a", { href: `/label-studio/${p.id}`, "data-link": true }, p.name),
        projectStateBadge(p),
        String(p.video_ids.length),
        String(p.task_count),
        formatDate(p.last_pull ?? undefined),
        formatDate(p.created),
      ]),
    ),
  );
}

function base64(bytes: ArrayBuffer): string {
  let binary = "";
  const view = new Uint8Array(bytes);
  for (let i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(binary);
}

// The form: a name, the pattern list (a file wins over the text box), the videos to annotate.
function createForm(videos: Video[], ctx: PageContext, refreshList: () => Promise<void>): HTMLElement {
  const ready = videos.filter((v) => v.state === "ready");
  const name = h("input", { id: "ls-name", required: true, minlength: 3, maxlength: 50, autocomplete: "off" });
  const patternsText = h("textarea", { id: "ls-patterns", rows: 5, "aria-describedby": "ls-patterns-hint" });
  const patternsFile = h("input", { id: "ls-patterns-file", type: "file", accept: ".xlsx,.csv,.txt" });
  const status = h("div", { role: "status", "data-testid": "ls-create-status" });
  const boxes = ready.map((v) => h("input", { type: "checkbox", id: `ls-video-${v.id}`, value: v.id, "data-video": v.id }));
  const form = h(
    "form",
    { class: "card ls-form", "aria-labelledby": "ls-create-title" },
    h("h2", { id: "ls-create-title" }, t("ls.create")),
    h("div", { class: "field" }, h("label", { for: "ls-name" }, t("ls.name")), name),
    h(
      "div",
      { class: "field" },
      h("label", { for: "ls-patterns" }, t("ls.patterns")),
      patternsText,
      h("p", { id: "ls-patterns-hint", class: "muted hint" }, t("ls.patternsHint")),
    ),
    h("div", { class: "field" }, h("label", { for: "ls-patterns-file" }, t("ls.patternsFile")), patternsFile),
    h(
      "fieldset",
      { class: "ls-videos" },
      h("legend", {}, t("ls.videos")),
      ready.length
        ? h("ul", {}, ...ready.map((v, i) => h("li", {}, boxes[i], " ", h("label", { for: `ls-video-${v.id}` }, v.name))))
        : h("p", { class: "muted" }, t("ls.noVideos")),
    ),
    h("button", { type: "submit" }, t("ls.createSubmit")),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const videoIds = boxes.filter((b) => b.checked).map((b) => Number(b.value));
    if (!videoIds.length) return status.replaceChildren(h("p", { class: "error", role: "alert" }, t("ls.pickVideos")));
    const file = patternsFile.files?.[0];
    if (!file && !patternsText.value.trim()) return status.replaceChildren(h("p", { class: "error", role: "alert" }, t("ls.needPatterns")));
    // A typed list is a .txt list unless its first line is the CSV header of a pattern list.
    const typed = patternsText.value.trim() + "\n";
    const patterns: PatternListInput = file
      ? { file: { file_name: file.name, content_base64: base64(await file.arrayBuffer()) } }
      : { text: typed, fileName: /^[^\n]*,/.test(typed) ? "patterns.csv" : "patterns.txt" };
    status.replaceChildren(h("p", { class: "muted" }, t("ls.creating")));
    try {
      const project = await api.createLabelStudioProject(name.value.trim(), patterns, videoIds);
      ctx.navigate(`/label-studio/${project.id}`);
    } catch (error) {
      status.replaceChildren(h("p", { class: "error", role: "alert" }, labelStudioErrorText(error)));
      await refreshList();  // a project recorded before Label Studio failed is listed now, in state error
    }
  });
  return form;
}

export async function labelStudioPage(ctx: PageContext): Promise<Node> {
  const [status, projects, videos] = await Promise.all([api.labelStudio(), api.labelStudioProjects().catch(() => []), api.videos()]);
  const listSlot = h("div", { "data-testid": "ls-projects" }, projectsTable(projects));
  const refreshList = async () => {
    listSlot.replaceChildren(projectsTable(await api.labelStudioProjects().catch(() => projects)));
  };
  const form = status.configured ? createForm(videos, ctx, refreshList) : null;
  return h(
    "div",
    {},
    pageTitle(t("ls.title")),
    statusLine(status),
    h("section", { "aria-labelledby": "ls-projects-title" }, h("h2", { id: "ls-projects-title" }, t("ls.projects")), listSlot),
    form,
  );
}
