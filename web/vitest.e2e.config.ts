// The browser test (e2e/): the real `vidseg serve` and Debian's Chromium driven by playwright-core.
// Run by CTest (web_browser) with VIDSEG_BINARY, VIDSEG_WEB_DIR, VIDSEG_E2E_OUT set.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.test.ts"],
    environment: "node",
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
