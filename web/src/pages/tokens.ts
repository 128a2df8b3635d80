import { api } from "../api";
import { h, table, wrapTable } from "../dom";
import { formatDate, t } from "../i18n/i18n";
import { errorBox, pageTitle, type PageContext } from "../page";

export async function tokensPage(ctx: PageContext): Promise<Node> {
  const tokens = await api.tokens();
  const created = h("div", { role: "status" });
  const label = h("input", { id: "token-label", maxlength: 200 });
  const form = h(
    "form",
    { class: "inline-form" },
    h("div", { class: "field" }, h("label", { for: "token-label" }, t("tokens.label")), label),
    h("button", { type: "submit" }, t("tokens.create")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const token = await api.createToken(label.value.trim());
      // The secret is shown once; the list below is redrawn without losing it.
      const list = await tokensTable([]);
      listSlot.replaceChildren(list);
      created.replaceChildren(h("p", { class: "notice" }, t("tokens.created", { token: token.token })));
      label.value = "";
    } catch (error) {
      created.replaceChildren(errorBox(error));
    }
  });
  const tokensTable = async (list = tokens): Promise<Node> => {
    if (list !== tokens) list = await api.tokens();
    if (!list.length) return h("p", { class: "muted" }, t("tokens.empty"));
    return wrapTable(table(
        t("tokens.title"),
        [t("tokens.label"), t("tokens.col.created"), t("tokens.col.lastUsed"), t("tokens.col.state"), ""],
        list.map((tok) => {
          const revoke = h("button", { type: "button", class: "danger small", "aria-label": `${t("tokens.revoke")} ${tok.label || "#" + tok.id}` }, t("tokens.revoke"));
          revoke.addEventListener("click", async () => {
            try {
              await api.revokeToken(tok.id);
              ctx.rerender();
            } catch (error) {
              created.replaceChildren(errorBox(error));
            }
          });
          return [tok.label || `#${tok.id}`, formatDate(tok.created), formatDate(tok.last_used), tok.revoked ? t("tokens.revoked") : t("tokens.active"), tok.revoked ? "" : revoke];
        }),
      ),
    );
  };
  const listSlot = h("div", {}, await tokensTable(tokens));
  return h("div", {}, pageTitle(t("tokens.title")), h("p", {}, t("tokens.intro")), form, created, listSlot);
}
