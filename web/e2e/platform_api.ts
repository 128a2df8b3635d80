// What the review / intros browser test prepares through the API itself (no browser): a token, tus
// uploads of the test media, jobs run to their end, and a reader of the stored ZIP archives the
// server streams (entries with data descriptors, no compression).
import { readFileSync } from "node:fs";
import { basename } from "node:path";

export interface Session { url: string; token: string }

export async function apiLogin(url: string, username: string, password: string): Promise<Session> {
  const response = await fetch(url + "/api/login", { method: "POST", body: JSON.stringify({ username, password }) });
  if (!response.ok) throw new Error(`login ${username}: ${response.status}`);
  return { url, token: ((await response.json()) as { token: string }).token };
}

export async function call<T>(s: Session, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(s.url + path, {
    method,
    headers: { Authorization: `Bearer ${s.token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

// One tus upload (creation, then the whole file in one PATCH); the video's id once it is stored.
export async function upload(s: Session, file: string): Promise<number> {
  const bytes = readFileSync(file);
  const name = basename(file);
  const created = await fetch(s.url + "/api/uploads/", {
    method: "POST",
    headers: {
      Authorization: `Bearer ${s.token}`,
      "Tus-Resumable": "1.0.0",
      "Upload-Length": String(bytes.length),
      "Upload-Metadata": `filename ${Buffer.from(name).toString("base64")}`,
    },
  });
  if (created.status !== 201) throw new Error(`tus create ${name}: ${created.status}`);
  const location = created.headers.get("Location")!;
  const patched = await fetch(new URL(location, s.url), {
    method: "PATCH",
    headers: {
      Authorization: `Bearer ${s.token}`,
      "Tus-Resumable": "1.0.0",
      "Upload-Offset": "0",
      "Content-Type": "application/offset+octet-stream",
    },
    body: bytes,
  });
  if (patched.status !== 204) throw new Error(`tus patch ${name}: ${patched.status} ${await patched.text()}`);
  const { videos } = await call<{ videos: { id: number; name: string }[] }>(s, "GET", "/api/videos");
  const video = videos.filter((v) => v.name === name).pop();
  if (!video) throw new Error(`${name} is not among the videos`);
  return video.id;
}

export interface JobDoc { id: number; state: string; kind: string; video_ids: number[] }

export async function waitJob(s: Session, id: number, timeoutMs = 600_000): Promise<JobDoc> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await call<JobDoc>(s, "GET", `/api/jobs/${id}`);
    if (job.state === "finished" || job.state === "error" || job.state === "cancelled") {
      if (job.state !== "finished") {
        const log = await call<{ lines: { line: string }[] }>(s, "GET", `/api/jobs/${id}/log`);
        throw new Error(`job ${id} ${job.state}: ${log.lines.map((l) => l.line).join(" | ")}`);
      }
      return job;
    }
    if (Date.now() > until) throw new Error(`job ${id} still ${job.state}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

// Every video's arrival job ended (its WAV is what the waveform draws).
export async function waitArrivals(s: Session): Promise<void> {
  const { jobs } = await call<{ jobs: JobDoc[] }>(s, "GET", "/api/jobs");
  for (const job of jobs.filter((j) => j.kind === "arrival")) await waitJob(s, job.id);
}

export async function fileText(s: Session, jobId: number, name: string): Promise<string> {
  const response = await fetch(`${s.url}/api/jobs/${jobId}/files/${name}`, { headers: { Authorization: `Bearer ${s.token}` } });
  if (!response.ok) throw new Error(`${name} of job ${jobId}: ${response.status}`);
  return response.text();
}

export const jsonLines = (text: string) => text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);

// The entries of a ZIP archive from its central directory: name and stored bytes.
export function readZip(zip: Buffer): Map<string, Buffer> {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error("no end of central directory: the archive was cut short");
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`central directory entry ${i} is broken`);
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    if (method !== 0) throw new Error(`${name}: compressed (method ${method})`);
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    out.set(name, zip.subarray(dataAt, dataAt + size));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}
