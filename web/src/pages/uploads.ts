import { h } from "../dom";
import { formatPercent, formatSize, plural, t } from "../i18n/i18n";
import { pageTitle, type PageContext } from "../page";
import { addFiles, onUploadChange, pause, remove, resume, uploadItems, type UploadItem } from "../uploads";

function stateText(item: UploadItem): string {
  if (item.state === "uploading" && item.resumedAt) return t("uploads.state.resumed", { percent: formatPercent((100 * item.resumedAt) / Math.max(1, item.total)) });
  return t(`uploads.state.${item.state}`);
}

function row(item: UploadItem): HTMLElement {
  const percent = item.total ? (100 * item.sent) / item.total : 0;
  const buttons: HTMLElement[] = [];
  const button = (label: string, action: string, onclick: () => void, cls = "") =>
    h("button", { type: "button", class: `small ${cls}`, "data-action": action, "aria-label": `${label}: ${item.file.name}`, onclick }, label);
  if (item.state === "uploading") buttons.push(button(t("uploads.pause"), "pause", () => pause(item)));
  if (item.state === "paused") buttons.push(button(t("uploads.resume"), "resume", () => resume(item), "primary"));
  if (item.state === "done" && item.videoId) buttons.push(h("a", { href: `/videos/${item.videoId}`, "data-link": true, class: "button small" }, t("uploads.open")));
  if (item.state !== "uploading") buttons.push(button(t("uploads.remove"), "remove", () => remove(item)));
  return h(
    "li",
    { class: `upload state-${item.state}`, "data-upload": item.file.name, "data-state": item.state },
    h("div", { class: "upload-head" }, h("strong", { class: "upload-name" }, item.file.name), h("span", { class: "upload-state", "data-testid": "upload-state" }, stateText(item))),
    h("progress", { max: 100, value: Math.round(percent), "aria-label": item.file.name }),
    h("div", { class: "upload-foot" }, h("span", { class: "muted" }, t("uploads.progress", { done: formatSize(item.sent), total: formatSize(item.total) }) + " · " + formatPercent(percent)), h("span", { class: "actions" }, ...buttons)),
    item.errorKey
      ? h(
          "p",
          { class: item.state === "failed" ? "error" : "warning", role: "alert" },
          t(item.errorKey),
          item.serverMessage ? h("span", { class: "server-message" }, " " + t("uploads.error.server", { message: item.serverMessage })) : null,
        )
      : null,
  );
}

export async function uploadsPage(ctx: PageContext): Promise<Node> {
  const input = h("input", { id: "upload-input", type: "file", multiple: true, accept: "video/*,.mkv,.avi,.mov,.webm,.mp4", class: "visually-hidden" });
  input.addEventListener("change", () => {
    if (input.files) addFiles(Array.from(input.files));
    input.value = "";
  });
  const zone = h(
    "div",
    { class: "dropzone", "data-testid": "dropzone" },
    h("p", { class: "drop-title" }, t("uploads.drop")),
    h("p", { class: "muted" }, t("uploads.dropHint")),
    h("label", { for: "upload-input", class: "button primary" }, t("uploads.choose")),
    input,
  );
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer?.files.length) addFiles(Array.from(event.dataTransfer.files));
  });

  const list = h("ul", { class: "uploads", "aria-label": t("uploads.listLabel") });
  const count = h("p", { class: "muted", "aria-live": "polite" });
  const rows = new Map<number, HTMLElement>();
  const drawAll = () => {
    rows.clear();
    const items = uploadItems();
    list.replaceChildren(...items.map((item) => {
      const el = row(item);
      rows.set(item.id, el);
      return el;
    }));
    count.textContent = items.length ? plural("uploads.count", items.length) : t("uploads.empty");
  };
  drawAll();
  ctx.onDispose(
    onUploadChange((item) => {
      const old = item && rows.get(item.id);
      if (!item || !old) return drawAll();
      const fresh = row(item);
      rows.set(item.id, fresh);
      old.replaceWith(fresh);
    }),
  );
  return h("div", {}, pageTitle(t("uploads.title")), zone, count, list);
}
