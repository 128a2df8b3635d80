// A real Label Studio server for the browser test, started the way tests/python/test_label_studio_platform.py
// starts it: the `label-studio` of the venv build/pyenv-labelstudio (tests/python/requirements-labelstudio.txt),
// on a free loopback port, a fresh data folder seeded with the migrated empty database the Python tests
// keep in the venv (<venv>/vidseg-cache/label_studio-<version>-migrated.sqlite3; without it Label Studio
// migrates by itself, only slower), an admin with a legacy API token.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const labelStudioAdmin = "anna@school.test";
export const labelStudioToken = "vidseg-browser-token-0123456789";

export interface LabelStudio {
  url: string;
  call: <T>(method: string, path: string, body?: unknown) => Promise<T>;
  stop: () => Promise<void>;  // and removes its temporary folder
  pause: () => Promise<void>;  // stops the server, keeps its data (Label Studio "down")
  resume: () => Promise<void>;  // starts it again on the same port with the same data
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function seedDatabase(executable: string, dataDir: string): void {
  const cache = join(dirname(dirname(realpathSync(executable))), "vidseg-cache");
  if (!existsSync(cache)) return;
  const template = readdirSync(cache).filter((f) => /^label_studio-.*-migrated\.sqlite3$/.test(f)).sort().pop();
  if (template) copyFileSync(join(cache, template), join(dataDir, "label_studio.sqlite3"));
}

export async function startLabelStudio(executable: string, startupMs = 600_000): Promise<LabelStudio> {
  if (!existsSync(executable)) throw new Error(`${executable} missing: run \`bash scripts/setup.sh\` (tests/python/requirements-labelstudio.txt)`);
  const root = mkdtempSync(join(tmpdir(), "vidseg-web-ls-"));
  const dataDir = join(root, "data");
  mkdirSync(dataDir);
  seedDatabase(executable, dataDir);
  const logPath = join(root, "label-studio.log");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let proc: ChildProcess;
  const logTail = () => (existsSync(logPath) ? readFileSync(logPath, "utf8").split("\n").slice(-40).join("\n") : "");
  const halt = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      process.kill(-proc.pid!, "SIGTERM");
      const timer = setTimeout(() => process.kill(-proc.pid!, "SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const stop = async () => {
    await halt();
    rmSync(root, { recursive: true, force: true });
  };
  // Starts Label Studio on the port and data folder (again, after pause()) and waits for /health.
  const launch = async () => {
    proc = spawn(
      executable,
      ["start", "--no-browser", "--internal-host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir,
       "--username", labelStudioAdmin, "--password", "vidseg-Pass-1", "--user-token", labelStudioToken, "--enable-legacy-api-token"],
      {
        detached: true,  // its own process group: stop() ends Label Studio and the workers it starts
        stdio: ["ignore", openSync(logPath, "a"), openSync(logPath, "a")],
        env: {
          ...process.env,
          LABEL_STUDIO_BASE_DATA_DIR: dataDir,
          LABEL_STUDIO_COLLECT_ANALYTICS: "false",
          LABEL_STUDIO_LATEST_VERSION_CHECK: "false",
          LABEL_STUDIO_DEBUG: "false",
          // Label Studio refuses webhooks to loopback addresses unless told (vidseg runs beside it).
          SSRF_PROTECTION_ENABLED: "false",
          SENTRY_DSN: "",
          FRONTEND_SENTRY_DSN: "",
          PYTHONDONTWRITEBYTECODE: "1",
        },
      },
    );
    const until = Date.now() + startupMs;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`label-studio exited with ${proc.exitCode} during start-up:\n${logTail()}`);
      const healthy = await fetch(url + "/health").then((r) => r.ok, () => false);
      if (healthy) break;
      if (Date.now() > until) {
        await stop();
        throw new Error(`label-studio not up after ${startupMs / 1000} s:\n${logTail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  await launch();
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(url + path, {
      method,
      headers: { Authorization: `Token ${labelStudioToken}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Label Studio ${method} ${path}: ${response.status} ${text.slice(0, 1000)}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  return { url, call, stop, pause: halt, resume: launch };
}
