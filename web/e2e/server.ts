// The real `vidseg serve` for the browser test: a fresh --data folder, a free loopback port, the
// first admin's one-time password read from its output; accounts made with `vidseg users add`.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunningServer {
  url: string;
  data: string;
  adminPassword: string;
  stop: () => Promise<void>;  // and removes its temporary folder
}

export const vidseg = process.env.VIDSEG_BINARY ?? "";

export async function startServer(webDir: string, extra: string[] = []): Promise<RunningServer> {
  const root = mkdtempSync(join(tmpdir(), "vidseg-web-e2e-"));
  const data = join(root, "data");
  const log = openSync(join(root, "serve.log"), "a");
  const proc: ChildProcess = spawn(
    vidseg,
    ["serve", "--data", data, "--listen", "127.0.0.1:0", "--web", webDir, "--threads", "16", ...extra],
    { stdio: ["ignore", "pipe", log] },
  );
  let out = "";
  const ready = await new Promise<{ url: string; password: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vidseg serve did not start (log: ${join(root, "serve.log")})`)), 60_000);
    proc.on("exit", (code) => reject(new Error(`vidseg serve exited with ${code}: ${out}`)));
    proc.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const password = /one-time password: (\S+)/.exec(out);
      if (url && password) {
        clearTimeout(timer);
        resolve({ url: url[1], password: password[1] });
      }
    });
  }).catch((error) => {
    proc.kill("SIGKILL");
    throw error;
  });
  return {
    url: ready.url,
    data,
    adminPassword: ready.password,
    stop: async () => {
      if (proc.exitCode === null) {
        await new Promise<void>((resolve) => {
          proc.once("exit", () => resolve());
          proc.kill("SIGTERM");
        });
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export function addUser(data: string, name: string, password: string, role: "admin" | "dl-user" = "dl-user"): void {
  const result = spawnSync(vidseg, ["users", "add", name, "--role", role, "--password-stdin", "--data", data], { input: password + "\n" });
  if (result.status !== 0) throw new Error(`vidseg users add ${name}: ${result.stderr}`);
}

// A short real video (H.264 + AAC, what a browser plays) made large by noise, so that its upload
// takes several tus chunks.
export function makeVideo(path: string, seconds: number): void {
  const result = spawnSync("ffmpeg", [
    "-v", "error", "-y",
    "-f", "lavfi", "-i", `testsrc2=size=640x360:rate=25:duration=${seconds}`,
    "-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`,
    "-vf", "noise=alls=30:allf=t", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", "-pix_fmt", "yuv420p",
    "-c:a", "aac", "-shortest", path,
  ]);
  if (result.status !== 0) throw new Error(`ffmpeg: ${result.stderr}`);
}

// A user's stored interface language, set through the API (login with an API token, PUT /api/me), as
// another browser of that user would have left it.
export async function setStoredLanguage(url: string, name: string, password: string, language: "en" | "ru"): Promise<void> {
  const login = await fetch(url + "/api/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: name, password }),
  });
  if (!login.ok) throw new Error(`login ${name}: ${login.status}`);
  const { token } = (await login.json()) as { token: string };
  const put = await fetch(url + "/api/me", {
    method: "PUT",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
    body: JSON.stringify({ language }),
  });
  if (!put.ok) throw new Error(`PUT /api/me for ${name}: ${put.status}`);
}
