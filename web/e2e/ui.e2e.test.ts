// The web UI in a real browser (Debian's Chromium through playwright-core; nothing is downloaded)
// against the real `vidseg serve`: login, role isolation, uploads (refused files, an interrupted upload
// resumed), the video with its finished arrival job and player, jobs, tokens, admin pages, the
// language switch (stored per user: a fresh browser logs in in the user's language). Run once per
// language (the browser's language picks it before login; the users' stored language after); every page is
// screenshotted at 1280×800 and 390×844 and checked with axe-core (no serious or critical violation).
//
// Environment: VIDSEG_BINARY, VIDSEG_WEB_DIR (the built UI), VIDSEG_E2E_OUT (screenshots go to
// OUT/screenshots/<lang>/), CHROMIUM (default /usr/bin/chromium).
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page, type Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MessageKey } from "../src/i18n/catalogue";
import { translate, type Language } from "../src/i18n/i18n";
import { chunkSize } from "../src/uploads";
import { accessibility, heading as pageHeading, sweep as sweepPage, viewports } from "./browser_checks";
import { addUser, makeVideo, setStoredLanguage, startServer, type RunningServer } from "./server";

const webDir = process.env.VIDSEG_WEB_DIR ?? "";
const outDir = process.env.VIDSEG_E2E_OUT ?? join(process.cwd(), "e2e-out");
const passwords = { anna: "anna-secret-pw", bob: "bob-secret-pw" };

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  if (!process.env.VIDSEG_BINARY || !webDir) throw new Error("set VIDSEG_BINARY and VIDSEG_WEB_DIR");
  server = await startServer(webDir, ["--max-upload", "40000000", "--workers", "1"]);
  addUser(server.data, "anna", passwords.anna);
  addUser(server.data, "bob", passwords.bob);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe.each(["en", "ru"] as Language[])("web UI in %s", (lang) => {
  const T = (key: MessageKey, params: Record<string, string | number> = {}) => translate(lang, key, params);
  const other: Language = lang === "en" ? "ru" : "en";
  const shots = join(outDir, "screenshots", lang);
  const video = join(outDir, `lesson-${lang}.mp4`);
  let annaVideoId = 0;
  let arrivalJobId = 0;

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    // The browser's language decides the UI's language (nothing remembered in a fresh context).
    const context = await browser.newContext({
      locale: lang === "ru" ? "ru-RU" : "en-US",
      viewport: viewports.desktop,
      bypassCSP: true,  // lets the test inject axe-core; the app itself runs under the server's CSP
    });
    const page = await context.newPage();
    page.on("pageerror", (error) => console.error(`[${lang}] page error: ${error.message}`));
    return { context, page };
  }

  const heading = (page: Page, text: string) => pageHeading(page, text, 20_000);
  // Every page at both sizes: screenshot + axe.
  const sweep = (page: Page, name: string, path: string | null, title: string) =>
    sweepPage(page, shots, name, path === null ? null : server.url + path, title);

  async function login(page: Page, user: string, password: string): Promise<void> {
    await page.goto(server.url + "/");
    await heading(page, T("login.title"));
    await page.fill("#login-username", user);
    await page.fill("#login-password", password);
    await page.click("form button[type=submit]");
    await heading(page, T("videos.title"));
  }

  async function drop(page: Page, files: { name: string; type: string; text?: string; zeros?: number }[]): Promise<void> {
    await page.evaluate((list) => {
      const transfer = new DataTransfer();
      for (const f of list) transfer.items.add(new File([f.zeros ? new Uint8Array(f.zeros) : (f.text ?? "")], f.name, { type: f.type }));
      const zone = document.querySelector("[data-testid=dropzone]")!;
      zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, files);
  }

  // anna on the Uploads page with a fresh video named lesson-<lang>-<suffix>.mp4.
  async function uploadsWithNewVideo(suffix: string) {
    const { context, page } = await newPage();
    await login(page, "anna", passwords.anna);
    await page.goto(server.url + "/uploads");
    await heading(page, T("uploads.title"));
    const name = `lesson-${lang}-${suffix}.mp4`;
    const file = join(outDir, name);
    makeVideo(file, 3);
    return { context, page, name, file };
  }

  // Upload PATCHes from the `from`-th on go to `handle` (the others to the server); `reached` resolves
  // when the `from`-th arrives, `count()` tells how many were sent.
  async function interceptPatches(page: Page, from: number, handle: (route: Route, n: number) => Promise<void>) {
    let patches = 0;
    let reach!: () => void;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    await page.route("**/api/uploads/**", async (route) => {
      if (route.request().method() !== "PATCH" || ++patches < from) return route.continue();
      reach();
      return handle(route, patches);
    });
    return { reached, count: () => patches };
  }

  beforeAll(async () => {
    // anna switched languages in the run before: her stored language is this run's again.
    await setStoredLanguage(server.url, "anna", passwords.anna, lang);
    mkdirSync(shots, { recursive: true });
    makeVideo(video, 3);
    expect(statSync(video).size).toBeGreaterThan(2 * chunkSize);
  });

  it("logs in (a wrong password is refused) in the browser's language", async () => {
    const { context, page } = await newPage();
    await page.goto(server.url + "/videos");
    await heading(page, T("login.title"));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
    await sweep(page, "login", null, T("login.title"));
    await page.fill("#login-username", "anna");
    await page.fill("#login-password", "wrong-password");
    await page.click("form button[type=submit]");
    await page.locator("#login-error", { hasText: T("login.failed") }).waitFor();
    await page.fill("#login-password", passwords.anna);
    await page.click("form button[type=submit]");
    await heading(page, T("videos.title"));  // back to where the user wanted to go
    expect(new URL(page.url()).pathname).toBe("/videos");
    await context.close();
  });

  it("uploads: refused files say why, an interrupted upload resumes, the video arrives", async () => {
    const { context, page } = await newPage();
    await login(page, "anna", passwords.anna);
    await page.click(`nav a[href="/uploads"]`);
    await heading(page, T("uploads.title"));

    // Refused by the server: not a video (422 after the bytes), too large (413 before any byte).
    await drop(page, [
      { name: "notes.txt", type: "text/plain", text: "not a video at all" },
      { name: "huge.mp4", type: "video/mp4", zeros: 41_000_000 },
    ]);
    const notVideo = page.locator('li[data-upload="notes.txt"][data-state="failed"]');
    const tooLarge = page.locator('li[data-upload="huge.mp4"][data-state="failed"]');
    await notVideo.waitFor({ timeout: 30_000 });
    await tooLarge.waitFor({ timeout: 30_000 });
    expect(await notVideo.innerText()).toContain(T("uploads.error.notVideo"));
    expect(await tooLarge.innerText()).toContain(T("uploads.error.tooLarge"));
    expect(await tooLarge.locator(".server-message").innerText()).toMatch(/\S/);  // the server's own words too

    // The connection breaks after the first chunk: tus retries, then the row offers Resume.
    const offsets: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "PATCH" && r.url().includes("/api/uploads/")) offsets.push(r.headers()["upload-offset"]);
    });
    let breakConnection = true;
    await interceptPatches(page, 2, (route) => (breakConnection ? route.abort("connectionreset") : route.continue()));
    await page.setInputFiles("#upload-input", video);
    const name = `lesson-${lang}.mp4`;
    const row = page.locator(`li[data-upload="${name}"]`);
    await page.locator(`li[data-upload="${name}"][data-state="paused"]`).waitFor({ timeout: 60_000 });
    expect(await row.innerText()).toContain(T("uploads.error.network"));
    await page.screenshot({ path: join(shots, "uploads-interrupted-desktop.png"), fullPage: true });
    await accessibility(page, `${lang} uploads interrupted`);

    breakConnection = false;
    const before = offsets.length;
    await row.locator('button[data-action="resume"]').click();
    await page.locator(`li[data-upload="${name}"][data-state="done"]`).waitFor({ timeout: 120_000 });
    const resumed = offsets.slice(before);
    expect(resumed[0]).toBe(String(chunkSize));  // continued at the server's offset, not from 0
    expect(resumed).not.toContain("0");
    await page.screenshot({ path: join(shots, "uploads-desktop.png"), fullPage: true });

    // The video page: the arrival job finishes, the player reads the stored file.
    await row.locator("a").click();
    await page.locator("h1", { hasText: name }).waitFor();
    annaVideoId = Number(new URL(page.url()).pathname.split("/").pop());
    expect(annaVideoId).toBeGreaterThan(0);
    await page.locator("[data-testid=video-state]", { hasText: T("videos.state.ready") }).waitFor({ timeout: 180_000 });
    const arrival = page.locator("tr", { hasText: T("job.kind.arrival") }).filter({ hasText: T("job.state.finished") });
    await arrival.waitFor({ timeout: 60_000 });
    arrivalJobId = Number((await arrival.locator("a").first().innerText()).replace("#", ""));
    await page.waitForFunction(() => (document.querySelector("video.player") as HTMLVideoElement | null)?.readyState! >= 1, null, { timeout: 30_000 });
    const duration = await page.evaluate(() => (document.querySelector("video.player") as HTMLVideoElement).duration);
    expect(duration).toBeGreaterThan(2.5);
    expect(duration).toBeLessThan(3.5);
    await sweep(page, "video", null, name);

    // A prepare job from the video page: its page follows the progress, then counts the fragments.
    await page.fill("#prepare-segment", "1");
    await page.click("form.inline-form button[type=submit]");
    await page.waitForURL(/\/jobs\/\d+$/);
    const prepareJobId = Number(new URL(page.url()).pathname.split("/").pop());
    await page.locator('[data-testid=job-state][data-state="finished"]').waitFor({ timeout: 180_000 });
    await page.locator("[data-testid=fragment-count]").waitFor();  // the results are drawn after the state
    const clips = await page.locator("ul.files a", { hasText: /part_films\/segment_\d+\.mp4$/ }).count();
    expect(clips).toBeGreaterThanOrEqual(3);  // 1-s segments of a 3-s video
    expect(await page.locator("[data-testid=fragment-count]").innerText()).toBe(T("job.fragments", { count: clips }));
    await sweep(page, "job-prepare", `/jobs/${prepareJobId}`, T("job.title", { id: String(prepareJobId) }));
    await page.goto(server.url + `/videos/${annaVideoId}`);
    await heading(page, T("video.title", { name }));

    // The language switch: everything redrawn in the other language, remembered across a reload.
    await page.click(`button[data-lang="${other}"]`);
    await page.locator("h1", { hasText: translate(other, "video.title", { name }) }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe(other);
    await page.reload();
    await page.locator("h1", { hasText: translate(other, "video.title", { name }) }).waitFor();
    await page.click(`button[data-lang="${lang}"]`);
    await heading(page, T("video.title", { name }));

    await sweep(page, "videos", "/videos", T("videos.title"));
    expect(await page.locator("tr", { hasText: name }).innerText()).toContain(T("videos.state.ready"));
    await sweep(page, "jobs", "/jobs", T("jobs.title"));
    await sweep(page, "job", `/jobs/${arrivalJobId}`, T("job.title", { id: String(arrivalJobId) }));
    expect(await page.locator("[data-testid=job-state]").getAttribute("data-state")).toBe("finished");
    await sweep(page, "uploads-empty", "/uploads", T("uploads.title"));
    await sweep(page, "tokens", "/tokens", T("tokens.title"));

    // Log out: the login page says so.
    await page.click('button[data-action="logout"]');
    await page.locator(".notice", { hasText: T("login.loggedOut") }).waitFor();
    await context.close();
  });

  it("the language switch is stored for the user: a fresh browser logs in in it", async () => {
    const name = `dora_${lang}`;
    addUser(server.data, name, "dora-secret-pw");
    const first = await newPage();
    await login(first.page, name, "dora-secret-pw");
    const stored = first.page.waitForResponse((r) => r.url().endsWith("/api/me") && r.request().method() === "PUT");
    await first.page.click(`button[data-lang="${other}"]`);
    expect((await stored).status()).toBe(200);
    await first.page.locator("h1", { hasText: translate(other, "videos.title") }).waitFor();
    await first.page.click('button[data-action="logout"]');
    await first.page.locator(".notice", { hasText: translate(other, "login.loggedOut") }).waitFor();
    await first.context.close();

    // A new browser (nothing remembered, the browser's language is still `lang`): the login page
    // speaks the browser's language, the pages after login the user's stored one.
    const second = await newPage();
    await second.page.goto(server.url + "/");
    await heading(second.page, T("login.title"));
    await second.page.fill("#login-username", name);
    await second.page.fill("#login-password", "dora-secret-pw");
    await second.page.click("form button[type=submit]");
    await second.page.locator("h1", { hasText: translate(other, "videos.title") }).waitFor();
    expect(await second.page.evaluate(() => document.documentElement.lang)).toBe(other);
    expect(await second.page.locator('button[data-action="logout"]').innerText()).toBe(translate(other, "nav.logout"));
    const me = await second.page.evaluate(async () => (await fetch("/api/me")).json());
    expect(me.language).toBe(other);
    await second.page.reload();  // a reload keeps it too
    await second.page.locator("h1", { hasText: translate(other, "videos.title") }).waitFor();
    await second.context.close();
  });

  it("an upload cut off by leaving the page continues when the same file is chosen again", async () => {
    const { context, page, name, file: second } = await uploadsWithNewVideo("b");
    const cut = await interceptPatches(page, 2, (route) => route.abort("connectionreset"));
    await page.setInputFiles("#upload-input", second);
    await cut.reached;  // one chunk is on the server, the next one broke
    await page.reload();  // the page (and its upload) is gone
    await heading(page, T("uploads.title"));
    await page.unroute("**/api/uploads/**");
    expect(await page.locator(`li[data-upload="${name}"]`).count()).toBe(0);

    const requests: { method: string; offset?: string }[] = [];
    let headOffset = "";
    page.on("request", (r) => {
      if (r.url().includes("/api/uploads/")) requests.push({ method: r.method(), offset: r.headers()["upload-offset"] });
    });
    page.on("response", (r) => {
      if (r.request().method() === "HEAD" && r.url().includes("/api/uploads/")) headOffset = r.headers()["upload-offset"] ?? "";
    });
    await page.setInputFiles("#upload-input", second);
    await page.locator(`li[data-upload="${name}"][data-state="done"]`).waitFor({ timeout: 120_000 });
    // No new upload: HEAD asks the server's offset, the bytes continue from the first chunk.
    expect(requests.filter((r) => r.method === "POST")).toEqual([]);
    expect(requests[0].method).toBe("HEAD");
    expect(headOffset).toBe(String(chunkSize));
    expect(requests.find((r) => r.method === "PATCH")?.offset).toBe(headOffset);
    await page.locator(`li[data-upload="${name}"] a`).click();
    await page.locator("[data-testid=video-state]", { hasText: T("videos.state.ready") }).waitFor({ timeout: 180_000 });
    await context.close();
  });

  it("pause stops an upload between requests, resume continues it", async () => {
    const { context, page, name, file: third } = await uploadsWithNewVideo("c");
    const sent = await interceptPatches(page, 2, async (route, n) => {
      if (n > 2) return route.continue();
      await new Promise((resolve) => setTimeout(resolve, 1500));  // the second chunk waits: Pause finds it running
      return route.continue().catch(() => undefined);  // (aborted by the pause meanwhile)
    });
    await page.setInputFiles("#upload-input", third);
    await sent.reached;
    const row = page.locator(`li[data-upload="${name}"]`);
    await row.locator('button[data-action="pause"]').click();
    await page.locator(`li[data-upload="${name}"][data-state="paused"]`).waitFor();
    expect(await row.locator("[data-testid=upload-state]").innerText()).toBe(T("uploads.state.paused"));
    const patchesAtPause = sent.count();
    await page.waitForTimeout(2500);
    expect(sent.count()).toBe(patchesAtPause);  // nothing is sent while paused
    expect(await row.getAttribute("data-state")).toBe("paused");
    await row.locator('button[data-action="resume"]').click();
    await page.locator(`li[data-upload="${name}"][data-state="done"]`).waitFor({ timeout: 120_000 });
    expect(sent.count()).toBeGreaterThan(patchesAtPause);
    await context.close();
  });

  it("a dl-user does not see another user's video", async () => {
    const { context, page } = await newPage();
    await login(page, "bob", passwords.bob);
    expect(await page.locator("main").innerText()).not.toContain(`lesson-${lang}.mp4`);
    await page.goto(server.url + `/videos/${annaVideoId}`);
    await page.locator("main .error", { hasText: T("error.notFound") }).waitFor();
    await page.goto(server.url + "/admin/users");  // not in a dl-user's routes
    await heading(page, T("common.notFound"));
    expect(await page.locator("nav").innerText()).not.toContain(T("nav.users"));
    await context.close();
  });

  it("admin: sees every video with its owner, adds a user, reads the audit log", async () => {
    const { context, page } = await newPage();
    await login(page, "admin", server.adminPassword);
    const row = page.locator("tr", { hasText: `lesson-${lang}.mp4` });
    expect(await row.innerText()).toContain("anna");
    await sweep(page, "users", "/admin/users", T("users.title"));
    const newUser = `carol_${lang}`;
    await page.fill("#new-username", newUser);
    await page.fill("#new-password", "carol-secret-pw");
    await page.click("form.card button[type=submit]");
    await page.locator("tr", { hasText: newUser }).waitFor();
    await sweep(page, "audit", "/admin/audit", T("audit.title"));
    expect(await page.locator("main").innerText()).toContain(`user ${newUser}`);
    await context.close();
  });
});
