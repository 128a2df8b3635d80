// Built by CMake (target vidseg_web) into <build>/web: `vite build --outDir <build>/web`; `vidseg serve`
// serves it at /. Everything is bundled: nothing is fetched from a CDN at run time.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,  // no data: URLs for scripts and styles (the server's CSP)
    target: "es2020",
  },
});
