import { api } from "../api";
import { h, table, wrapTable } from "../dom";
import { formatDate, t } from "../i18n/i18n";
import { pageTitle, type PageContext } from "../page";

export async function auditPage(_ctx: PageContext): Promise<Node> {
  const entries = await api.audit(200);
  return h(
    "div",
    {},
    pageTitle(t("audit.title")),
    wrapTable(table(
        t("audit.title"),
        [t("audit.col.time"), t("audit.col.user"), t("audit.col.action"), t("audit.col.subject"), t("audit.col.detail"), t("audit.col.ip")],
        entries.map((e) => [formatDate(e.time), e.user ?? t("common.none"), e.action, e.subject, e.detail, e.ip]),
      ),
    ),
  );
}
