import { api, ApiError, type User } from "../api";
import { h } from "../dom";
import { t } from "../i18n/i18n";
import { pageTitle } from "../page";

export function loginPage(notice: string | null, onLoggedIn: (user: User, csrf: string) => void): HTMLElement {
  const status = h("p", { class: "error", role: "alert", id: "login-error" });
  status.hidden = true;
  const username = h("input", { id: "login-username", name: "username", autocomplete: "username", required: true });
  const password = h("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = h(
    "form",
    { class: "card narrow", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "login-username" }, t("login.username")), username),
    h("div", { class: "field" }, h("label", { for: "login-password" }, t("login.password")), password),
    status,
    h("button", { type: "submit", class: "primary" }, t("login.submit")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.hidden = true;
    try {
      const result = await api.login(username.value.trim(), password.value);
      onLoggedIn(result.user, result.csrf_token);
    } catch (error) {
      status.textContent = error instanceof ApiError && error.status === 429 ? t("login.throttled") : t("login.failed");
      status.hidden = false;
      password.select();
    }
  });
  return h("div", {}, pageTitle(t("login.title")), notice ? h("p", { class: "notice", role: "status" }, notice) : null, form);
}
