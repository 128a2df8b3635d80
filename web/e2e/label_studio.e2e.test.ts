// The Label Studio pages in a real browser (issue 12 §2-3) against a REAL Label Studio server (e2e/label_studio.ts)
// and the real `vidseg serve` connected to it with a legacy token. In each language, from the UI: a project made
// from a pattern list (typed in English, an uploaded patterns.csv in Russian) and the uploaded lesson; then two
// annotators annotate through Label Studio's API as the experts' editor would; the pull from the UI stores both
// versions (annotators named by their e-mails), the agreement view shows the pattern they agree on as excellent
// and the one they do not as poor; a dataset build starts from the project page. A second `vidseg serve` pointed
// at a Label Studio that is down: the status, a refused creation (the project listed in state error) and the
// retry all say so clearly. A third `vidseg serve` with webhooks: the project page's live webhook state, and the
// retry after Label Studio was stopped and started again. axe-core on every page at 1280×800 and 390×844,
// screenshots in OUT/screenshots/<lang>/.
//
// Environment: as review.e2e.test.ts, plus LABEL_STUDIO_BIN (the venv's label-studio executable).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessageKey } from "../src/i18n/catalogue";
import { translate, type Language } from "../src/i18n/i18n";
import { heading, sweep, viewports } from "./browser_checks";
import { freePort, labelStudioAdmin, labelStudioToken, startLabelStudio, type LabelStudio } from "./label_studio";
import { apiLogin, call, upload, waitArrivals, type Session } from "./platform_api";
import { addUser, startServer, type RunningServer } from "./server";

const webDir = process.env.VIDSEG_WEB_DIR ?? "";
const media = process.env.VIDSEG_TEST_MEDIA_DIR ?? "";
const outDir = process.env.VIDSEG_E2E_OUT ?? join(process.cwd(), "e2e-out");
const password = "rita-secret-pw";
const second = "boris@school.test";
const INC = "Включение в обучающий процесс П";
const EMO = "Эмоциональный отклик У";

let labelStudio: LabelStudio;
let server: RunningServer;  // connected to labelStudio
let down: RunningServer;  // pointed at a port nobody listens on
let downUrl = "";
let browser: Browser;
let rita: Session;
let lessonId = 0;
let downLessonId = 0;
let secondId = 0;

function region(id: string, start: number, end: number, label: string) {
  return { id, from_name: "pattern_intervals", to_name: "audio", type: "labels", origin: "manual", original_length: 30.0, value: { start, end, channel: 0, labels: [label] } };
}

beforeAll(async () => {
  if (!process.env.VIDSEG_BINARY || !webDir || !media) throw new Error("set VIDSEG_BINARY, VIDSEG_WEB_DIR and VIDSEG_TEST_MEDIA_DIR");
  labelStudio = await startLabelStudio(process.env.LABEL_STUDIO_BIN ?? join(process.cwd(), "..", "build", "pyenv-labelstudio", "bin", "label-studio"));
  server = await startServer(webDir, ["--workers", "2", "--label-studio-url", labelStudio.url, "--label-studio-token", labelStudioToken]);
  downUrl = `http://127.0.0.1:${await freePort()}`;
  down = await startServer(webDir, ["--workers", "1", "--label-studio-url", downUrl, "--label-studio-token", labelStudioToken]);
  for (const s of [server, down]) addUser(s.data, "rita", password);
  rita = await apiLogin(server.url, "rita", password);
  lessonId = await upload(rita, join(media, "lesson.mp4"));
  const ritaDown = await apiLogin(down.url, "rita", password);
  downLessonId = await upload(ritaDown, join(media, "lesson.mp4"));
  await waitArrivals(rita);
  await waitArrivals(ritaDown);
  secondId = (await labelStudio.call<{ id: number }>("POST", "/api/users/", { email: second, username: "boris", first_name: "Boris" })).id;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
}, 1_200_000);

afterAll(async () => {
  await browser?.close();
  await down?.stop();
  await server?.stop();
  await labelStudio?.stop();
});

describe.each(["en", "ru"] as Language[])("Label Studio pages in %s", (lang) => {
  const T = (key: MessageKey, params: Record<string, string | number> = {}) => translate(lang, key, params);
  const shots = join(outDir, "screenshots", lang);
  const projectName = lang === "en" ? "Lessons 7A" : "Уроки 7А";
  let page: Page;

  async function login(url: string): Promise<void> {
    await page.goto(url + "/login");
    await heading(page, T("login.title"));
    await page.fill("#login-username", "rita");
    await page.fill("#login-password", password);
    await page.click("form button[type=submit]");
    await heading(page, T("videos.title"));
  }

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    const context = await browser.newContext({ locale: lang === "ru" ? "ru-RU" : "en-US", viewport: viewports.desktop, bypassCSP: true, acceptDownloads: true });
    page = await context.newPage();
    page.on("pageerror", (error) => console.error(`[${lang}] page error: ${error.message}`));
    await login(server.url);
  });

  afterAll(async () => {
    await page?.context().close();
  });

  it("creates a project from a pattern list, pulls two annotators' work and shows their agreement", async () => {
    await page.click('nav a[href="/label-studio"]');
    await heading(page, T("ls.title"));
    expect(await page.locator("[data-testid=ls-status]").innerText()).toBe(T("ls.connected", { url: labelStudio.url, user: labelStudioAdmin }));
    await sweep(page, shots, "label-studio", server.url + "/label-studio", T("ls.title"));

    await page.fill("#ls-name", projectName);
    if (lang === "en") {
      await page.fill("#ls-patterns", `${INC}\n${EMO}\n`);
    } else {
      const csv = join(shots, "patterns.csv");
      writeFileSync(csv, `pattern type,comments\n${INC},учитель вовлекает\n${EMO},ученики реагируют\n`);
      await page.setInputFiles("#ls-patterns-file", csv);
    }
    await page.check(`#ls-video-${lessonId}`);
    await page.click(".ls-form button[type=submit]");
    const title = T("ls.projectTitle", { name: projectName });
    await heading(page, title, 120_000);
    expect(await page.locator("[data-testid=ls-state]").innerText()).toBe(T("ls.state.ready"));
    expect(await page.locator("[data-testid=ls-tasks]").innerText()).toBe("1");
    expect(await page.locator("[data-testid=ls-patterns]").innerText()).toBe(`${INC} · ${EMO}`);
    expect(await page.locator("[data-testid=ls-agreement]").innerText()).toBe(T("ls.needTwo"));
    const id = Number(new URL(page.url()).pathname.split("/").pop());

    // In Label Studio: the project the UI made, with the lesson as its one task; two experts annotate it.
    const project = await call<{ labelstudio_id: number }>(rita, "GET", `/api/labelstudio/projects/${id}`);
    expect(await page.locator("[data-testid=ls-remote]").getAttribute("href")).toBe(`${labelStudio.url}/projects/${project.labelstudio_id}/data`);
    const remote = await labelStudio.call<{ title: string; label_config: string }>("GET", `/api/projects/${project.labelstudio_id}`);
    expect(remote.title).toBe(projectName);
    expect(remote.label_config).toContain(INC);
    const { tasks } = await labelStudio.call<{ tasks: { id: number; data: { vidseg_video_id: number } }[] }>(
      "GET", `/api/tasks/?project=${project.labelstudio_id}&page_size=100&fields=all`);
    expect(tasks.map((task) => task.data.vidseg_video_id)).toEqual([lessonId]);
    const task = tasks[0].id;
    await labelStudio.call("POST", `/api/tasks/${task}/annotations/`, { result: [region("a1", 2, 6, INC), region("a2", 12, 15, EMO)], lead_time: 30 });
    await labelStudio.call("POST", `/api/tasks/${task}/annotations/`, {
      result: [region("b1", 2, 6.5, INC), region("b2", 20, 22, EMO)], lead_time: 20, completed_by: secondId });

    // The pull from the UI: both versions stored, named by the annotators' e-mails; the agreement view.
    await page.click('button[data-action="pull"]');
    const notice = page.locator("[data-testid=ls-notice] .notice");
    await notice.waitFor({ timeout: 120_000 });
    expect(await notice.innerText()).toBe(T("ls.pulled", { total: "2", added: "2", updated: "0", missing: "0" }));
    const annotators = await page.locator("[data-testid=ls-annotations] [data-annotator]").evaluateAll((els) => els.map((e) => e.getAttribute("data-annotator")));
    expect(annotators.sort()).toEqual([labelStudioAdmin, second].sort());
    const bands = await page.locator("[data-testid=ls-agreement] [data-band]").evaluateAll((els) => els.map((e) => e.getAttribute("data-band")));
    const patterns = await page.locator("[data-testid=ls-agreement] [data-pattern]").evaluateAll((els) => els.map((e) => e.getAttribute("data-pattern")));
    expect(Object.fromEntries(patterns.map((p, i) => [p, bands[i]]))).toEqual({ [INC]: "excellent", [EMO]: "poor" });
    expect(await page.locator("[data-testid=ls-agreement]").innerText()).toContain(T("ls.band.excellent"));
    expect(await page.locator("[data-testid=ls-last-pull]").innerText()).not.toBe(T("common.none"));
    // The consensus, downloaded: the lesson's task with the one pattern both agree on.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('a[data-action="consensus"]')]);
    const consensus = JSON.parse(readFileSync((await download.path())!, "utf8")) as { annotations: { result: { value: { labels: string[] } }[] }[] }[];
    expect(consensus.length).toBe(1);
    expect(consensus[0].annotations.map((a) => a.result.map((r) => r.value.labels))).toEqual([[[INC]]]);
    await sweep(page, shots, "label-studio-project", server.url + `/label-studio/${id}`, title, () =>
      page.locator("[data-testid=ls-agreement] table").first().waitFor());

    // A dataset build of the project's videos from the pulled annotations.
    await page.click('button[data-action="build"]');
    await page.waitForURL(/\/jobs\/\d+$/, { timeout: 60_000 });
    const job = await call<{ kind: string; video_ids: number[] }>(rita, "GET", `/api/jobs/${new URL(page.url()).pathname.split("/").pop()}`);
    expect([job.kind, job.video_ids]).toEqual(["dataset build", [lessonId]]);

    // Removed from the project page, in Label Studio too: gone from the list and from Label Studio.
    await page.goto(server.url + `/label-studio/${id}`);
    await heading(page, title);
    await page.check("#ls-remove-remote");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.click('button[data-action="remove"]');
    await page.waitForURL(/\/label-studio$/);
    await heading(page, T("ls.title"));
    expect(await page.locator("[data-testid=ls-projects] a", { hasText: projectName }).count()).toBe(0);
    const gone = await fetch(`${labelStudio.url}/api/projects/${project.labelstudio_id}/`, { headers: { Authorization: `Token ${labelStudioToken}` } });
    expect(gone.status).toBe(404);
  });

  it("says clearly that Label Studio is down, keeps the refused project and retries it", async () => {
    await login(down.url);
    await page.goto(down.url + "/label-studio");
    await heading(page, T("ls.title"));
    const status = page.locator("[data-testid=ls-status]");
    expect(await status.getAttribute("role")).toBe("alert");
    const unreachable = T("ls.error.labelstudio_unreachable", { message: "" }).replace(/\s*\(\)$/, "");
    expect(await status.innerText()).toContain(unreachable);
    expect(await status.innerText()).toContain(downUrl);

    await page.fill("#ls-name", projectName);
    await page.fill("#ls-patterns", `${INC}\n`);
    await page.check(`#ls-video-${downLessonId}`);
    await page.click(".ls-form button[type=submit]");
    const refused = page.locator("[data-testid=ls-create-status] [role=alert]");
    await refused.waitFor();
    expect(await refused.innerText()).toContain(unreachable);
    const listed = page.locator("[data-testid=ls-projects] a", { hasText: projectName });
    await listed.waitFor();
    const row = page.locator("[data-testid=ls-projects] tr", { has: page.locator("a", { hasText: projectName }) });
    expect(await row.locator("[data-testid=ls-state]").innerText()).toBe(T("ls.state.error"));

    await listed.click();
    const title = T("ls.projectTitle", { name: projectName });
    await heading(page, title);
    expect(await page.locator("[data-testid=ls-project-error]").innerText()).toContain(downUrl);
    expect(await page.locator("[data-testid=ls-remote]").count()).toBe(0);
    const retry = page.locator('button[data-action="retry"]');
    expect(await retry.isVisible()).toBe(true);
    await retry.click();
    const again = page.locator("[data-testid=ls-notice] [role=alert]");
    await again.waitFor();
    expect(await again.innerText()).toContain(unreachable);
    expect(await page.locator('button[data-action="build"]').isDisabled()).toBe(true);
    await sweep(page, shots, "label-studio-error", null, title);

    // Removed from vidseg only (it never reached Label Studio): Label Studio is not asked.
    page.once("dialog", (dialog) => void dialog.accept());
    await page.click('button[data-action="remove"]');
    await page.waitForURL(/\/label-studio$/);
    await heading(page, T("ls.title"));
    expect(await page.locator("[data-testid=ls-projects] a", { hasText: projectName }).count()).toBe(0);
    await page.goto(server.url + "/videos");  // back to the connected server for the next language
  });
});

// A third `vidseg serve` with webhooks on (Label Studio calls it back on loopback): the project page shows
// the webhook's live state, the last delivery; then Label Studio stops — a new project is refused and
// shows the error — and starts again on the same port with the same data: the retry from the UI works.
describe("webhook live state, Label Studio stopped and started again (en)", () => {
  const T = (key: MessageKey, params: Record<string, string | number> = {}) => translate("en", key, params);
  let live: RunningServer;
  let liveLesson = 0;
  let page: Page;

  beforeAll(async () => {
    live = await startServer(webDir, ["--workers", "1", "--label-studio-url", labelStudio.url, "--label-studio-token", labelStudioToken,
      "--label-studio-webhook-secret", "vidseg-e2e-webhook-secret"]);
    addUser(live.data, "rita", password);
    const session = await apiLogin(live.url, "rita", password);
    liveLesson = await upload(session, join(media, "lesson.mp4"));
    await waitArrivals(session);
    const context = await browser.newContext({ locale: "en-US", viewport: viewports.desktop, bypassCSP: true });
    page = await context.newPage();
    await page.goto(live.url + "/login");
    await heading(page, T("login.title"));
    await page.fill("#login-username", "rita");
    await page.fill("#login-password", password);
    await page.click("form button[type=submit]");
    await heading(page, T("videos.title"));
  }, 600_000);

  afterAll(async () => {
    await page?.context().close();
    await live?.stop();
  });

  async function createProject(name: string): Promise<void> {
    await page.goto(live.url + "/label-studio");
    await heading(page, T("ls.title"));
    await page.fill("#ls-name", name);
    await page.fill("#ls-patterns", `${INC}\n`);
    await page.check(`#ls-video-${liveLesson}`);
    await page.click(".ls-form button[type=submit]");
  }

  it("shows the last webhook delivery of the project as it arrives", async () => {
    await createProject("Webhooks 7B");
    await heading(page, T("ls.projectTitle", { name: "Webhooks 7B" }), 120_000);
    const line = page.locator("[data-testid=ls-webhook-last]");
    await page.waitForFunction(() => document.querySelector("[data-testid=ls-webhook-last]")?.textContent !== "");
    expect(await line.innerText()).toBe(T("ls.webhookNone"));
    const id = Number(new URL(page.url()).pathname.split("/").pop());
    const remote = (await call<{ labelstudio_id: number }>(await apiLogin(live.url, "rita", password), "GET", `/api/labelstudio/projects/${id}`)).labelstudio_id;
    const { tasks } = await labelStudio.call<{ tasks: { id: number }[] }>("GET", `/api/tasks/?project=${remote}&page_size=10&fields=all`);
    const made = await labelStudio.call<{ id: number }>("POST", `/api/tasks/${tasks[0].id}/annotations/`, { result: [region("w1", 1, 3, INC)], lead_time: 5 });
    // Refreshed while the page is open: no reload.
    await page.waitForFunction(() => Boolean((document.querySelector("[data-testid=ls-webhook-last]") as HTMLElement | null)?.dataset.received), null, { timeout: 60_000 });
    const text = await line.innerText();
    expect(text).toContain(T("ls.webhookAction.ANNOTATION_CREATED"));
    expect(text).toContain(`#${made.id}`);
    expect(text).toContain(`#${tasks[0].id}`);
    const received = Number(await line.getAttribute("data-received"));
    expect(Math.abs(received - Date.now() / 1000)).toBeLessThan(120);
    // The history of deliveries (the catalog keeps the newest 50): this one, stored.
    const rows = page.locator("[data-testid=ls-webhook-deliveries] tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain(`#${made.id}`);
    expect(await rows.first().locator("[data-outcome]").getAttribute("data-outcome")).toBe("stored");
    expect(await rows.first().locator("[data-outcome]").innerText()).toBe(T("ls.delivery.outcome.stored"));
    await sweep(page, join(outDir, "screenshots", "en"), "label-studio-webhook", null, T("ls.projectTitle", { name: "Webhooks 7B" }));
  });

  it("Label Studio stopped: the error is shown; started again: the retry works", async () => {
    await labelStudio.pause();
    try {
      await createProject("Recovery 7B");
      const refused = page.locator("[data-testid=ls-create-status] [role=alert]");
      await refused.waitFor({ timeout: 120_000 });
      expect(await refused.innerText()).toContain(T("ls.error.labelstudio_unreachable", { message: "" }).replace(/\s*\(\)$/, ""));
      await page.locator("[data-testid=ls-projects] a", { hasText: "Recovery 7B" }).click();
      await heading(page, T("ls.projectTitle", { name: "Recovery 7B" }));
      expect(await page.locator("[data-testid=ls-state]").innerText()).toBe(T("ls.state.error"));
      expect(await page.locator("[data-testid=ls-project-error]").innerText()).toContain(labelStudio.url);
    } finally {
      await labelStudio.resume();
    }
    const retry = page.locator('button[data-action="retry"]');
    await retry.click();
    const notice = page.locator("[data-testid=ls-notice] .notice");
    await notice.waitFor({ timeout: 120_000 });
    expect(await notice.innerText()).toBe(T("ls.retried"));
    expect(await page.locator("[data-testid=ls-state]").innerText()).toBe(T("ls.state.ready"));
    expect(await page.locator("[data-testid=ls-tasks]").innerText()).toBe("1");
    expect(await page.locator("[data-testid=ls-project-error]").count()).toBe(0);
    expect(await retry.isHidden()).toBe(true);
    const href = await page.locator("[data-testid=ls-remote]").getAttribute("href");
    const remoteId = Number(/projects\/(\d+)\/data$/.exec(href ?? "")?.[1]);
    expect((await labelStudio.call<{ title: string }>("GET", `/api/projects/${remoteId}`)).title).toBe("Recovery 7B");
  });
});

// The video page under the server's real Content-Security-Policy (no bypass): wavesurfer.js styles its
// shadow root with a <style> element, let through by the page's nonce (index.html's meta, filled in per
// page by the server) — no CSP refusal, while 'unsafe-inline' stays out of the policy.
describe("Content-Security-Policy of the video page", () => {
  it("lets the waveform's style through with the page's nonce and refuses nothing", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: viewports.desktop });
    const page = await context.newPage();
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`), true);
    });
    const refusals: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) refusals.push(message.text());
    });
    try {
      await page.goto(server.url + "/login");
      await heading(page, translate("en", "login.title"));
      await page.fill("#login-username", "rita");
      await page.fill("#login-password", password);
      await page.click("form button[type=submit]");
      await heading(page, translate("en", "videos.title"));
      const response = await page.goto(server.url + `/videos/${lessonId}`);
      const policy = response!.headers()["content-security-policy"];
      const nonce = /style-src 'self' 'nonce-([\w-]+)'/.exec(policy)?.[1];
      expect(nonce, policy).toBeTruthy();
      expect(policy).not.toContain("unsafe-inline");
      await page.locator("[data-testid=waveform]").waitFor({ timeout: 60_000 });
      const style = await page.evaluate(() => {
        const host = [...document.querySelectorAll("[data-testid=waveform] *")].find((e) => e.shadowRoot);
        const element = host?.shadowRoot?.querySelector("style");
        return { found: Boolean(element), rules: element?.sheet?.cssRules.length ?? 0 };
      });
      expect(style.found).toBe(true);
      expect(style.rules).toBeGreaterThan(0);
      await page.waitForTimeout(500);
      expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
      expect(refusals).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
