// Unit tests of the UI code that needs no browser (the message catalogue, formats).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["tests/**/*.test.ts"], environment: "node" },
});
