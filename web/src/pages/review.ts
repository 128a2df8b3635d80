// Review of a finished dataset build job (issue 12): the fragments' keyframes as a grid, reviewed with
// the keyboard — arrows move, `x` excludes (asks a reason), `k` keeps, `v` shows the frame large with
// the `--keyframe best` candidates to pick another one. Every decision goes to the server at once
// (the job's draft review.jsonl); then a re-build with the decisions, a keyframe model learned from them, or the dataset as a zip.
import { api, type DatasetReview, type ReviewItem } from "../api";
import { h } from "../dom";
import { formatNumber, plural, t } from "../i18n/i18n";
import { errorBox, pageTitle, type PageContext } from "../page";

const seconds = (value: number) => t("review.seconds", { value: formatNumber(value, undefined, 2) });

function stateText(item: ReviewItem): string {
  if (item.decision === "excluded") return item.reason ? t("review.excludedBecause", { reason: item.reason }) : t("review.excluded");
  if (item.decision === "kept") return t("review.kept");
  return t("review.undecided");
}

export async function reviewPage(ctx: PageContext): Promise<Node> {
  const id = Number(ctx.params[0]);
  let review: DatasetReview = await api.review(id);
  let focus = 0;
  const status = h("p", { role: "status", class: "muted", "data-testid": "review-status" });
  const errorSlot = h("div", {});
  const summary = h("p", { "data-testid": "review-summary" });
  const grid = h("ol", { class: "review-grid", "aria-label": t("review.gridLabel"), "data-testid": "review-grid" });

  // The dialogs: a reason for an exclusion, the large frame with its candidates.
  const reasonInput = h("input", { id: "exclude-reason", type: "text", maxlength: 500, autocomplete: "off" });
  const reasonForm = h(
    "form",
    { method: "dialog", class: "dialog-form" },
    h("h2", { id: "exclude-title" }, t("review.excludeTitle")),
    h("div", { class: "field" }, h("label", { for: "exclude-reason" }, t("review.reason")), reasonInput),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "primary", value: "exclude", "data-action": "confirm-exclude" }, t("review.exclude")),
      h("button", { type: "submit", value: "cancel", formnovalidate: true }, t("review.cancel")),
    ),
  );
  const reasonDialog = h("dialog", { "aria-labelledby": "exclude-title", class: "review-dialog" }, reasonForm);
  const viewBody = h("div", {});
  const viewDialog = h(
    "dialog",
    { "aria-labelledby": "view-title", class: "review-dialog wide", "data-testid": "view-dialog" },
    viewBody,
  );

  const items = () => review.items;
  const cards: HTMLElement[] = [];

  function card(item: ReviewItem, index: number): HTMLElement {
    const state = item.decision ?? "undecided";
    const titleId = `item-${index}-title`;
    const el = h(
      "li",
      {
        class: `review-card state-${state}`,
        tabindex: index === focus ? 0 : -1,
        "aria-labelledby": titleId,
        "aria-describedby": `item-${index}-state`,
        "data-item": item.item,
        "data-decision": state,
      },
      h("img", { src: item.image, alt: t("review.keyframeOf", { item: item.item }), loading: "lazy", width: 320, height: 180 }),
      h("h3", { id: titleId }, `${item.number}. ${item.lesson}`),
      h("p", { class: "interval" }, t("review.interval", { start: seconds(item.start), end: seconds(item.end) })),
      h("p", {}, item.patterns.length ? item.patterns.join(", ") : t("review.noPattern")),
      h("p", { class: "muted" }, t("review.annotator", { name: item.annotator || t("common.none") })),
      h(
        "p",
        { id: `item-${index}-state`, class: `review-state badge state-${state}`, "data-testid": "item-state" },
        stateText(item),
      ),
      item.picked !== null ? h("p", { class: "muted", "data-testid": "item-picked" }, t("review.picked", { time: seconds(item.picked) })) : null,
    );
    el.addEventListener("focus", () => moveTo(index, false));
    el.addEventListener("dblclick", () => void view(index));
    el.addEventListener("click", () => moveTo(index));
    return el;
  }

  function drawSummary(): void {
    const excluded = items().filter((i) => i.decision === "excluded").length;
    const kept = items().filter((i) => i.decision === "kept").length;
    summary.replaceChildren(
      t("review.summary", {
        fragments: plural("job.fragments", items().length),
        kept: String(kept),
        excluded: String(excluded),
      }),
    );
  }

  function draw(): void {
    cards.length = 0;
    cards.push(...items().map(card));
    grid.replaceChildren(...cards);
    drawSummary();
  }

  function moveTo(index: number, takeFocus = true): void {
    if (index < 0 || index >= cards.length) return;
    cards[focus]?.setAttribute("tabindex", "-1");
    focus = index;
    cards[focus].setAttribute("tabindex", "0");
    if (takeFocus && document.activeElement !== cards[focus]) cards[focus].focus();
  }

  // Cards in one row of the grid (arrow up / down jump by a row).
  function perRow(): number {
    if (cards.length < 2) return 1;
    const top = cards[0].offsetTop;
    const n = cards.findIndex((c) => c.offsetTop !== top);
    return n <= 0 ? cards.length : n;
  }

  async function decide(index: number, decision: { decision: "kept" | "excluded"; reason?: string; keyframe?: number }): Promise<void> {
    const item = items()[index];
    try {
      review = await api.decide(id, { item: item.item, ...decision });
      const fresh = card(items()[index], index);
      cards[index].replaceWith(fresh);
      cards[index] = fresh;
      drawSummary();
      moveTo(index);
      const now = items()[index];
      status.textContent =
        decision.keyframe !== undefined
          ? t("review.pickedStatus", { item: now.item, time: seconds(decision.keyframe) })
          : t("review.decided", { item: now.item, state: stateText(now) });
      errorSlot.replaceChildren();
    } catch (error) {
      errorSlot.replaceChildren(errorBox(error));
    }
  }

  function exclude(index: number): void {
    reasonInput.value = items()[index].reason;
    reasonDialog.returnValue = "";
    reasonDialog.onclose = () => {
      if (reasonDialog.returnValue === "exclude") void decide(index, { decision: "excluded", reason: reasonInput.value.trim() });
      else moveTo(index);
    };
    reasonDialog.showModal();
    reasonInput.focus();
  }

  function view(index: number): void {
    const item = items()[index];
    const current = item.picked ?? item.keyframe_time;
    const choices = item.candidates.map((c, k) =>
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: "candidate",
            "aria-pressed": String(Math.abs(c.time - current) < 1e-3),
            "data-candidate": k,
            onclick: () => {
              viewDialog.close();
              void decide(index, { decision: item.decision ?? "kept", reason: item.reason, keyframe: c.time });
            },
          },
          h("img", { src: c.image, alt: "", width: 160, height: 90 }),
          h("span", {}, t("review.pickAt", { time: seconds(c.time) })),
        ),
      ),
    );
    viewBody.replaceChildren(
      h("h2", { id: "view-title" }, t("review.viewTitle", { item: item.item })),
      h("img", { class: "large", src: item.image, alt: t("review.keyframeOf", { item: item.item }) }),
      h("p", {}, t("review.interval", { start: seconds(item.start), end: seconds(item.end) }), " · ", t("review.keyframeAt", { time: seconds(item.keyframe_time) })),
      item.candidates.length
        ? h("section", { "aria-labelledby": "candidates-title" }, h("h3", { id: "candidates-title" }, t("review.candidates")), h("ul", { class: "candidates" }, ...choices))
        : h("p", { class: "muted" }, t("review.noCandidates")),
      h("div", { class: "actions" }, h("button", { type: "button", "data-action": "close-view", onclick: () => viewDialog.close() }, t("review.close"))),
    );
    viewDialog.onclose = () => moveTo(index);
    viewDialog.showModal();
  }

  grid.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const keys: Record<string, () => void> = {
      ArrowRight: () => moveTo(Math.min(focus + 1, cards.length - 1)),
      ArrowLeft: () => moveTo(Math.max(focus - 1, 0)),
      ArrowDown: () => moveTo(Math.min(focus + perRow(), cards.length - 1)),
      ArrowUp: () => moveTo(Math.max(focus - perRow(), 0)),
      Home: () => moveTo(0),
      End: () => moveTo(cards.length - 1),
      x: () => exclude(focus),
      k: () => void decide(focus, { decision: "kept" }),
      v: () => view(focus),
      Enter: () => view(focus),
    };
    const action = keys[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  const rebuild = h("button", { type: "button", class: "primary", "data-action": "rebuild" }, t("review.rebuild"));
  rebuild.addEventListener("click", async () => {
    try {
      const job = await api.rebuild(id);
      ctx.navigate(`/jobs/${job.id}`);
    } catch (error) {
      errorSlot.replaceChildren(errorBox(error));
    }
  });

  // A keyframe model learned from this build's decisions (a keyframes learn job); later builds choose it
  // with the keyframe option model:<that job's id>. Only a build with candidates has something to learn.
  const learn = h("button", { type: "button", "data-action": "learn-keyframes", "aria-describedby": "learn-hint" }, t("review.learnKeyframes"));
  learn.addEventListener("click", async () => {
    try {
      const job = await api.learnKeyframes([id]);
      ctx.navigate(`/jobs/${job.id}`);
    } catch (error) {
      errorSlot.replaceChildren(errorBox(error));
    }
  });
  const hasCandidates = review.items.some((i) => i.candidates.length > 1);

  draw();
  return h(
    "div",
    {},
    h("p", {}, h("a", { href: `/jobs/${id}`, "data-link": true }, "← " + t("review.backToJob", { id: String(id) }))),
    pageTitle(t("review.title", { id: String(id) })),
    h("p", { class: "muted", id: "review-keys" }, t("review.keys")),
    summary,
    status,
    errorSlot,
    review.items.length ? grid : h("p", { class: "muted" }, t("review.empty")),
    h(
      "div",
      { class: "actions review-actions" },
      rebuild,
      hasCandidates ? learn : null,
      h("a", { class: "button", href: api.jobZipUrl(id), download: `job_${id}.zip`, "data-action": "zip" }, t("review.downloadZip")),
      h("a", { class: "button", href: api.reviewLogUrl(id), download: `job_${id}_review.jsonl`, "data-action": "review-log" }, t("review.downloadLog")),
    ),
    hasCandidates ? h("p", { class: "muted", id: "learn-hint" }, t("review.learnHint")) : null,
    reasonDialog,
    viewDialog,
  );
}
