// What every browser test does to a page: wait for its heading, check it with axe-core (no serious or
// critical violation), and write screenshots at the desktop (1280×800) and phone (390×844) sizes.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
export const viewports = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

export async function heading(page: Page, text: string, timeout = 30_000): Promise<void> {
  await page.locator("h1", { hasText: text }).first().waitFor({ timeout });
}

export async function accessibility(page: Page, name: string): Promise<void> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const result = await (window as any).axe.run(document, { resultTypes: ["violations"] });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => n.target.join(" ")).slice(0, 3) }));
  });
  const serious = violations.filter((v: { impact: string }) => v.impact === "serious" || v.impact === "critical");
  expect(serious, `axe on ${name}`).toEqual([]);
}

// The page at `url` (null: the one shown, not reloaded) at both sizes: heading, `ready`, screenshot
// <shots>/<name>-<size>.png (shots: .../screenshots/<lang>), axe.
export async function sweep(page: Page, shots: string, name: string, url: string | null, title: string, ready?: () => Promise<unknown>): Promise<void> {
  for (const [size, viewport] of Object.entries(viewports)) {
    await page.setViewportSize(viewport);
    if (url !== null) await page.goto(url);
    await heading(page, title);
    if (ready) await ready();
    await page.waitForLoadState("networkidle").catch(() => undefined);
    await page.screenshot({ path: join(shots, `${name}-${size}.png`), fullPage: true });
    await accessibility(page, `${basename(shots)} ${name} ${size}`);
  }
  await page.setViewportSize(viewports.desktop);
}
