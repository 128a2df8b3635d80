import { api, type Role } from "../api";
import { h, table, wrapTable } from "../dom";
import { formatDate, plural, t } from "../i18n/i18n";
import { errorBox, pageTitle, type PageContext } from "../page";

const roles: Role[] = ["admin", "dl-user"];

function roleSelect(id: string, value: Role, label?: string): HTMLSelectElement {
  return h(
    "select",
    { id, "aria-label": label ?? null },
    ...roles.map((r) => h("option", { value: r, selected: r === value }, t(`role.${r}`))),
  );
}

export async function usersPage(ctx: PageContext): Promise<Node> {
  const users = await api.users();
  const status = h("div", { role: "status" });
  const rows = users.map((u) => {
    const select = roleSelect(`role-${u.id}`, u.role, t("users.roleOf", { name: u.name }));
    select.addEventListener("change", async () => {
      try {
        const changed = await api.setRole(u.id, select.value as Role);
        status.replaceChildren(h("p", { class: "notice" }, t("users.roleChanged", { name: changed.name, role: t(`role.${changed.role}`) })));
      } catch (error) {
        select.value = u.role;
        status.replaceChildren(errorBox(error));
      }
    });
    return [u.name, u.id === ctx.user.id ? t(`role.${u.role}`) : select, formatDate(u.created)];
  });
  const username = h("input", { id: "new-username", autocomplete: "off", required: true, pattern: "[A-Za-z0-9_][A-Za-z0-9._\\-]{0,63}" });
  const password = h("input", { id: "new-password", type: "password", autocomplete: "new-password", required: true, minlength: 8 });
  const role = roleSelect("new-role", "dl-user");
  const form = h(
    "form",
    { class: "card" },
    h("h2", { id: "add-user-title" }, t("users.add")),
    h("div", { class: "field" }, h("label", { for: "new-username" }, t("users.username")), username),
    h("div", { class: "field" }, h("label", { for: "new-password" }, t("users.password")), password),
    h("div", { class: "field" }, h("label", { for: "new-role" }, t("users.role")), role),
    h("button", { type: "submit", class: "primary" }, t("users.submit")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const user = await api.createUser(username.value.trim(), password.value, role.value as Role);
      ctx.rerender();
      // rerender draws a new page; the confirmation goes into it once drawn
      window.setTimeout(() => document.querySelector("[data-testid=users-status]")?.replaceChildren(h("p", { class: "notice" }, t("users.added", { name: user.name }))), 300);
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  });
  status.setAttribute("data-testid", "users-status");
  return h(
    "div",
    {},
    pageTitle(t("users.title")),
    h("p", { class: "muted" }, plural("users.count", users.length)),
    status,
    wrapTable(table(t("users.title"), [t("users.col.name"), t("users.col.role"), t("users.col.created")], rows)),
    form,
  );
}
