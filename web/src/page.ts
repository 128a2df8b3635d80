// What a page is: a function of its URL parameters that renders into a container and may leave
// timers (polling) to stop when the user navigates away or switches the language.
import type { User } from "./api";
import { ApiError } from "./api";
import { h } from "./dom";
import { t } from "./i18n/i18n";

export interface PageContext {
  params: string[];  // the route's regex groups
  user: User;
  navigate: (path: string) => void;
  rerender: () => void;  // draw the page again (after a change)
  onDispose: (cleanup: () => void) => void;
}

export type Page = (ctx: PageContext) => Promise<Node>;

// A failed request as a message the user reads (the server's English message stays as detail).
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return t("error.forbidden");
    if (error.status === 404) return t("error.notFound");
    return t("common.error", { message: error.message });
  }
  return t("common.error", { message: error instanceof Error ? error.message : String(error) });
}

export function errorBox(error: unknown): HTMLElement {
  return h("p", { class: "error", role: "alert" }, errorText(error));
}

export function pageTitle(text: string): HTMLElement {
  document.title = `${text} — ${t("app.title")}`;
  return h("h1", { id: "page-title", tabindex: -1 }, text);
}
