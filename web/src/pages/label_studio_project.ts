// One Label Studio project (issue 12 §2): its state (a failure's reason and the retry), the link into
// Label Studio, the webhook's live state (the last delivery) and its history (the newest 50 deliveries), the pull of the annotators' work, every stored annotation (annotator, source, missing
// when its task was deleted in Label Studio), the agreement report of `vidseg dataset agreement` with
// the consensus it would keep, and a dataset build from the pulled annotations.
import { api, ApiError, type AgreementReport, type LabelStudioAnnotation, type LabelStudioProject, type LabelStudioStatus, type LabelStudioWebhookState } from "../api";
import { h, table, wrapTable } from "../dom";
import { formatDate, formatNumber, plural, t } from "../i18n/i18n";
import { pageTitle, type PageContext } from "../page";
import { labelStudioErrorText, projectStateBadge, statusLine } from "./label_studio";
import { known } from "./status";

const number = (value: number | null) => (value === null || value === undefined ? t("common.none") : formatNumber(value, undefined, 2));
const percent = (value: number | null) => (value === null || value === undefined ? t("common.none") : formatNumber(100 * value, undefined, 0) + " %");
const band = (name: string) => known(`ls.band.${name}`, name);

// The webhook's live state: the last delivery Label Studio made for this project, refreshed while the
// page is open (an annotator saving in Label Studio shows up here within seconds).
function webhookText(state: LabelStudioWebhookState): string {
  if (!state.last) return state.enabled ? t("ls.webhookNone") : "";
  return t("ls.webhookLast", {
    action: known(`ls.webhookAction.${state.last.action}`, state.last.action),
    time: formatDate(state.last.received),
    annotation: String(state.last.annotation ?? t("common.none")),
    task: String(state.last.task ?? t("common.none")),
  });
}

// The newest deliveries (the server keeps 50 per project), newest first, with what became of each.
function deliveriesTable(state: LabelStudioWebhookState): HTMLElement {
  if (state.deliveries.length === 0) return h("p", { class: "muted" }, t("ls.delivery.none"));
  const id = (value: number | null) => (value === null ? t("common.none") : `#${value}`);
  return wrapTable(
    table(
      t("ls.delivery.title"),
      [t("ls.delivery.received"), t("ls.delivery.action"), t("ls.delivery.annotation"), t("ls.delivery.task"), t("ls.delivery.outcome")],
      state.deliveries.map((d) => [
        formatDate(d.received),
        known(`ls.webhookAction.${d.action}`, d.action || t("common.none")),
        id(d.annotation),
        id(d.task),
        h("span", { class: d.outcome === "error" ? "error" : "", "data-outcome": d.outcome }, known(`ls.delivery.outcome.${d.outcome}`, d.outcome), d.message ? ` (${d.message})` : ""),
      ]),
    ),
  );
}

function watchWebhook(id: number, line: HTMLElement, history: HTMLElement, ctx: PageContext): void {
  let timer: number | undefined;
  let stopped = false;
  const refresh = async () => {
    const state = await api.labelStudioWebhook(id).catch(() => null);
    if (stopped) return;
    if (state) {
      line.textContent = webhookText(state);
      line.dataset.received = state.last ? String(state.last.received) : "";
      history.replaceChildren(deliveriesTable(state));
    }
    timer = window.setTimeout(() => void refresh(), 3000);
  };
  ctx.onDispose(() => {
    stopped = true;
    window.clearTimeout(timer);
  });
  void refresh();
}

function details(project: LabelStudioProject, status: LabelStudioStatus, webhookLine: HTMLElement): HTMLElement {
  const remote = project.labelstudio_id;
  return h(
    "dl",
    { class: "details" },
    h("dt", {}, t("ls.col.state")), h("dd", {}, projectStateBadge(project)),
    project.error ? h("dt", {}, t("ls.errorLabel")) : null,
    project.error ? h("dd", { class: "error", "data-testid": "ls-project-error" }, project.error) : null,
    h("dt", {}, t("ls.inLabelStudio")),
    h(
      "dd",
      {},
      remote && status.url
        ? h("a", { href: `${status.url.replace(/\/$/, "")}/projects/${remote}/data`, target: "_blank", rel: "noopener", "data-testid": "ls-remote" }, t("ls.openRemote", { id: String(remote) }))
        : t("ls.notCreated"),
    ),
    h("dt", {}, t("ls.col.tasks")), h("dd", { "data-testid": "ls-tasks" }, String(project.task_count)),
    h("dt", {}, t("ls.col.videos")),
    h("dd", {}, ...project.video_ids.flatMap((id, i) => [i ? ", " : "", h("a", { href: `/videos/${id}`, "data-link": true }, `#${id}`)])),
    h("dt", {}, t("ls.patterns")), h("dd", { "data-testid": "ls-patterns" }, project.patterns.map((p) => p.name).join(" · ")),
    h("dt", {}, t("ls.webhooks")), h("dd", {}, project.webhook ? t("ls.webhooksOn") : t("ls.webhooksOff"), " ", webhookLine),
    h("dt", {}, t("ls.col.lastPull")), h("dd", { "data-testid": "ls-last-pull" }, formatDate(project.last_pull ?? undefined)),
  );
}

function annotationsTable(annotations: LabelStudioAnnotation[]): HTMLElement {
  if (!annotations.length) return h("p", { class: "muted", "data-testid": "ls-annotations" }, t("ls.noAnnotations"));
  return h(
    "div",
    { "data-testid": "ls-annotations" },
    h("p", { class: "muted" }, plural("ls.annotationCount", annotations.length)),
    wrapTable(
      table(
        t("ls.annotations"),
        [t("ls.col.annotator"), t("ls.col.task"), t("ls.col.video"), t("ls.col.regions"), t("ls.col.source"), t("ls.col.updated")],
        annotations.map((a) => [
          h("span", { "data-annotator": a.annotator }, a.annotator, a.missing ? h("span", { class: "badge state-error ls-missing" }, t("ls.missing")) : null),
          `#${a.task_id}`,
          a.video_id ? h("a", { href: `/videos/${a.video_id}`, "data-link": true }, `#${a.video_id}`) : t("common.none"),
          String(a.annotation.result?.length ?? 0),
          known(`ls.source.${a.source}`, a.source),
          formatDate(a.updated),
        ]),
      ),
    ),
  );
}

function agreementView(id: number, report: AgreementReport): HTMLElement {
  return h(
    "div",
    { "data-testid": "ls-agreement" },
    h(
      "p",
      { "data-testid": "ls-overall" },
      t("ls.overall", { kappa: number(report.overall.kappa), band: band(report.overall.band), percent: percent(report.overall.percent_agreement) }),
    ),
    h("p", { class: "muted" }, t("ls.agreementOf", { annotators: report.annotators.join(", "), units: String(report.shared_units), consensus: String(report.consensus_segments) })),
    h(
      "p",
      {},
      h("a", { class: "button small", href: api.labelStudioConsensusUrl(id), download: `consensus_project_${id}.json`, "data-action": "consensus" }, t("ls.consensus")),
      " ",
      h("span", { class: "muted" }, t("ls.consensusHint")),
    ),
    h("h3", {}, t("ls.byPattern")),
    wrapTable(
      table(
        t("ls.byPattern"),
        [t("ls.col.pattern"), t("ls.col.kappa"), t("ls.col.band"), t("ls.col.percent"), t("ls.col.matched"), t("ls.col.segments"), t("ls.col.consensus")],
        report.patterns.map((p) => [
          h("span", { "data-pattern": p.label }, p.label),
          number(p.kappa),
          h("span", { class: `band band-${p.band.replace(/\s+/g, "-")}`, "data-band": p.band }, band(p.band)),
          percent(p.percent_agreement),
          String(p.matched),
          String(p.segments),
          p.consensus ? t("ls.inConsensus") : t("ls.notInConsensus"),
        ]),
      ),
    ),
    report.pairs.length ? h("h3", {}, t("ls.pairs")) : null,
    report.pairs.length
      ? wrapTable(
          table(
            t("ls.pairs"),
            [t("ls.col.pair"), t("ls.col.kappa"), t("ls.col.percent")],
            report.pairs.map((p) => [`${p.a} ↔ ${p.b}`, number(p.kappa), percent(p.percent_agreement)]),
          ),
        )
      : null,
  );
}

async function agreementBlock(id: number): Promise<HTMLElement> {
  try {
    return agreementView(id, await api.labelStudioAgreement(id));
  } catch (error) {
    if (error instanceof ApiError && error.code === "not_enough_annotators")
      return h("p", { class: "muted", "data-testid": "ls-agreement" }, t("ls.needTwo"));
    return h("p", { class: "error", role: "alert", "data-testid": "ls-agreement" }, labelStudioErrorText(error));
  }
}

export async function labelStudioProjectPage(ctx: PageContext): Promise<Node> {
  const id = Number(ctx.params[0]);
  const [status, project, annotations] = await Promise.all([api.labelStudio(), api.labelStudioProject(id), api.labelStudioAnnotations(id)]);
  // One live line, kept across redraws of the details.
  const webhookLine = h("span", { class: "muted ls-webhook-last", role: "status", "data-testid": "ls-webhook-last" });
  const historySlot = h("div", { "data-testid": "ls-webhook-deliveries" });
  watchWebhook(id, webhookLine, historySlot, ctx);
  const detailsSlot = h("div", {}, details(project, status, webhookLine));
  const annotationsSlot = h("div", {}, annotationsTable(annotations));
  const agreementSlot = h("div", {}, annotations.length ? await agreementBlock(id) : h("p", { class: "muted", "data-testid": "ls-agreement" }, t("ls.needTwo")));
  const notice = h("div", { role: "status", class: "notice-line", "data-testid": "ls-notice" });
  const fail = (error: unknown) => notice.replaceChildren(h("p", { class: "error", role: "alert" }, labelStudioErrorText(error)));

  const redraw = async (fresh: LabelStudioProject) => {
    detailsSlot.replaceChildren(details(fresh, status, webhookLine));
    retry.hidden = fresh.state === "ready";
    const stored = await api.labelStudioAnnotations(id);
    annotationsSlot.replaceChildren(annotationsTable(stored));
    agreementSlot.replaceChildren(await agreementBlock(id));
    build.disabled = stored.length === 0;
  };
  // While a call runs its button is disabled; the failure keeps everything stored and says why.
  const action = (label: string, run: (button: HTMLButtonElement) => Promise<void>, attrs: Record<string, string> = {}) => {
    const button = h("button", { type: "button", ...attrs }, label);
    button.addEventListener("click", async () => {
      button.disabled = true;
      notice.replaceChildren(h("p", { class: "muted" }, t("common.loading")));
      try {
        await run(button);
      } catch (error) {
        fail(error);
        await redraw(await api.labelStudioProject(id)).catch(() => undefined);
      } finally {
        button.disabled = false;
        if (button === build) build.disabled = annotationsSlot.querySelector("table") === null;
      }
    });
    return button;
  };
  const pull = action(t("ls.pull"), async () => {
    const pulled = await api.pullLabelStudioProject(id);
    await redraw(pulled.project);
    notice.replaceChildren(h("p", { class: "notice" }, t("ls.pulled", { total: String(pulled.annotations), added: String(pulled.new), updated: String(pulled.updated), missing: String(pulled.missing) })));
  }, { "data-action": "pull" });
  const retry = action(t("ls.retry"), async () => {
    const fresh = await api.retryLabelStudioProject(id);
    await redraw(fresh);
    notice.replaceChildren(h("p", { class: "notice" }, t("ls.retried")));
  }, { "data-action": "retry" });
  const build = action(t("ls.build"), async () => {
    const job = await api.buildFromLabelStudio(id);
    ctx.navigate(`/jobs/${job.id}`);
  }, { "data-action": "build" });
  // Removal: from vidseg only, or (the checkbox) in Label Studio too; Label Studio down keeps everything.
  const alsoRemote = h("input", { type: "checkbox", id: "ls-remove-remote" });
  const remove = action(t("ls.remove"), async () => {
    if (!window.confirm(alsoRemote.checked ? t("ls.removeConfirmRemote") : t("ls.removeConfirm"))) {
      notice.replaceChildren();
      return;
    }
    await api.removeLabelStudioProject(id, alsoRemote.checked);
    ctx.navigate("/label-studio");
  }, { "data-action": "remove", class: "danger" });
  retry.hidden = project.state === "ready";
  build.disabled = annotations.length === 0;

  return h(
    "div",
    {},
    h("p", {}, h("a", { href: "/label-studio", "data-link": true }, "← " + t("ls.title"))),
    pageTitle(t("ls.projectTitle", { name: project.name })),
    statusLine(status),
    detailsSlot,
    h("p", { class: "actions ls-actions" }, pull, retry, build),
    notice,
    h("section", { "aria-labelledby": "ls-annotations-title" }, h("h2", { id: "ls-annotations-title" }, t("ls.annotations")), annotationsSlot),
    h("section", { "aria-labelledby": "ls-agreement-title" }, h("h2", { id: "ls-agreement-title" }, t("ls.agreement")), agreementSlot),
    h("section", { "aria-labelledby": "ls-deliveries-title" }, h("h2", { id: "ls-deliveries-title" }, t("ls.delivery.title")), historySlot),
    h(
      "section",
      { "aria-labelledby": "ls-remove-title" },
      h("h2", { id: "ls-remove-title" }, t("ls.removeTitle")),
      h("p", { class: "actions" }, alsoRemote, h("label", { for: "ls-remove-remote" }, t("ls.removeRemote"))),
      h("p", {}, remove),
    ),
  );
}
