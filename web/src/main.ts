// The app: who is logged in, the layout (skip link, header with menu and language switch, main), and
// the history-API router that draws the page of the current URL.
import "./style.css";
import { api, ApiError, setCsrfToken, setUnauthorizedHandler, type User } from "./api";
import { clear, h } from "./dom";
import {
  initLanguage,
  language,
  languageAfterLogin,
  languages,
  onLanguageChange,
  setLanguage,
  t,
  useLanguage,
  type Language,
} from "./i18n/i18n";
import { errorBox, type PageContext } from "./page";
import { loginPage } from "./pages/login";
import { homePath, routes } from "./routes";

const root = document.getElementById("app")!;
let user: User | null = null;
let disposers: (() => void)[] = [];
let notice: string | null = null;  // shown once on the login page ("you have logged out")

function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  void render();
}

// The switch redraws at once; a logged-in user's choice is also stored on the server, so every later
// login (any browser) starts in it. Not stored (offline, session ended): still switched here.
function switchLanguage(lang: Language): void {
  setLanguage(lang);
  if (!user) return;
  api.setMyLanguage(lang).then(
    (updated) => {
      if (user && user.id === updated.id) user.language = updated.language;
    },
    () => undefined,
  );
}

// A user just known (login, reload): their stored language, when they chose one, before drawing.
function adoptUserLanguage(loggedIn: User): void {
  const lang = languageAfterLogin(loggedIn.language, language());
  if (lang !== language()) useLanguage(lang);
}

function languageSwitch(): HTMLElement {
  return h(
    "div",
    { class: "lang-switch", role: "group", "aria-label": t("lang.label") },
    ...languages.map((lang: Language) =>
      h(
        "button",
        {
          type: "button",
          lang,
          "aria-pressed": String(lang === language()),
          "data-lang": lang,
          onclick: () => switchLanguage(lang),
        },
        t(`lang.${lang}`),
      ),
    ),
  );
}

function header(current: string): HTMLElement {
  const links = routes
    .filter((r) => r.nav && (!r.adminOnly || user?.role === "admin"))
    .map((r) => {
      const { href, label } = r.nav!;
      const active = current === href || current.startsWith(href + "/");
      return h("li", {}, h("a", { href, "data-link": true, "aria-current": active ? "page" : null }, t(label)));
    });
  return h(
    "header",
    { class: "top" },
    h("a", { class: "brand", href: homePath, "data-link": true }, t("app.title")),
    user ? h("nav", { "aria-label": t("nav.label") }, h("ul", {}, ...links)) : null,
    h(
      "div",
      { class: "session" },
      languageSwitch(),
      user ? h("span", { class: "who" }, t("nav.signedInAs", { name: user.name, role: t(`role.${user.role}`) })) : null,
      user ? h("button", { type: "button", class: "link-button", "data-action": "logout", onclick: () => void logout() }, t("nav.logout")) : null,
    ),
  );
}

async function logout(): Promise<void> {
  try {
    await api.logout();
  } catch {
    // already gone
  }
  user = null;
  setCsrfToken(undefined);
  notice = t("login.loggedOut");
  navigate("/login");
}

async function render(): Promise<void> {
  for (const dispose of disposers) dispose();
  disposers = [];
  const path = location.pathname;
  const main = h("main", { id: "main" }, h("p", { class: "muted" }, t("common.loading")));
  clear(root);
  root.append(h("a", { class: "skip", href: "#main" }, t("app.skip")), header(path), main);

  if (!user || path === "/login") {
    if (user && path === "/login") return navigate(homePath, true);
    if (path !== "/login") history.replaceState(null, "", "/login?next=" + encodeURIComponent(path));
    const shown = notice;
    notice = null;
    const page = loginPage(shown, async (loggedIn, csrf) => {
      user = loggedIn;
      setCsrfToken(csrf);
      adoptUserLanguage(loggedIn);
      const next = new URLSearchParams(location.search).get("next");
      navigate(next && next.startsWith("/") && !next.startsWith("//") && next !== "/login" ? next : homePath, true);
    });
    clear(main);
    main.append(page);
    return;
  }
  if (path === "/" || path === "") return navigate(homePath, true);

  const route = routes.find((r) => r.path.test(path) && (!r.adminOnly || user!.role === "admin"));
  const ctx: PageContext = {
    params: route ? (path.match(route.path) ?? []).slice(1) : [],
    user,
    navigate,
    rerender: () => void render(),
    onDispose: (cleanup) => disposers.push(cleanup),
  };
  let content: Node;
  try {
    content = route
      ? await route.page(ctx)
      : h("div", {}, h("h1", {}, t("common.notFound")), h("p", {}, t("common.notFoundText", { path })));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    content = errorBox(error);
  }
  if (location.pathname !== path) return;  // navigated away meanwhile
  clear(main);
  main.append(content);
}

document.addEventListener("click", (event) => {
  const link = (event.target as Element | null)?.closest?.("a[data-link]") as HTMLAnchorElement | null;
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(link.getAttribute("href")!);
});
window.addEventListener("popstate", () => void render());
onLanguageChange(() => void render());
setUnauthorizedHandler(() => {
  if (!user) return;
  user = null;
  notice = t("login.expired");
  void render();
});

async function start(): Promise<void> {
  initLanguage();
  try {
    const me = await api.me();
    user = me;
    setCsrfToken(me.csrf_token);
    adoptUserLanguage(me);
  } catch {
    user = null;
  }
  await render();
}

void start();
