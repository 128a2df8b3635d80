// The uploads of this browser window: one tus upload per file (tus-js-client), resumable across
// interruptions and page reloads (tus-js-client remembers each file's upload URL in localStorage by
// name, type, size and modification time; a file dropped again continues at the server's offset).
// Kept outside the page so that switching pages or the language does not lose them.
import * as tus from "tus-js-client";
import { csrfHeader } from "./api";
import type { MessageKey } from "./i18n/catalogue";

export const chunkSize = 4 * 1024 * 1024;  // bytes per PATCH: progress is saved on the server per chunk

export type UploadState = "waiting" | "uploading" | "paused" | "done" | "failed";

export interface UploadItem {
  id: number;
  file: File;
  state: UploadState;
  sent: number;
  total: number;
  resumedAt?: number;     // the server's offset when an earlier upload of this file was continued
  errorKey?: MessageKey;  // why it stopped (translated when drawn)
  serverMessage?: string; // the server's own words
  videoId?: number;
  upload?: tus.Upload;
}

const items: UploadItem[] = [];
const listeners = new Set<(item: UploadItem | null) => void>();
let nextId = 1;

export function uploadItems(): readonly UploadItem[] {
  return items;
}

export function onUploadChange(listener: (item: UploadItem | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed(item: UploadItem | null): void {
  for (const listener of listeners) listener(item);
}

interface Refusal {
  errorKey: MessageKey;
  serverMessage?: string;
  final: boolean;  // the server refused the file (4xx): resuming cannot help
}

function refusalOf(error: unknown): Refusal {
  const response = (error as { originalResponse?: tus.HttpResponse | null }).originalResponse;
  const status = response?.getStatus() ?? 0;
  let serverMessage: string | undefined;
  try {
    serverMessage = JSON.parse(response?.getBody() ?? "")?.error?.message;
  } catch {
    serverMessage = undefined;
  }
  if (status === 413) return { errorKey: "uploads.error.tooLarge", serverMessage, final: true };
  if (status === 422 || status === 415) return { errorKey: "uploads.error.notVideo", serverMessage, final: true };
  // 409/423: the offset moved or an interrupted request still holds the upload: ask again (tus-js-client's rule).
  if (status === 0 || status >= 500 || status === 409 || status === 423)
    return { errorKey: "uploads.error.network", serverMessage, final: false };
  return { errorKey: "uploads.error.other", serverMessage, final: true };
}

function retriable(error: unknown): boolean {
  return !refusalOf(error).final;
}

export function addFiles(files: Iterable<File>): void {
  for (const file of files) {
    const item: UploadItem = { id: nextId++, file, state: "waiting", sent: 0, total: file.size };
    items.push(item);
    changed(null);
    void start(item);
  }
}

async function start(item: UploadItem): Promise<void> {
  const upload = new tus.Upload(item.file, {
    endpoint: "/api/uploads/",
    chunkSize,
    retryDelays: [0, 1000, 3000, 5000],
    metadata: { filename: item.file.name, filetype: item.file.type || "application/octet-stream" },
    headers: csrfHeader(),
    removeFingerprintOnSuccess: true,
    onShouldRetry: (error) => retriable(error),
    onProgress: (sent, total) => {
      item.sent = sent;
      item.total = total;
      changed(item);
    },
    onAfterResponse: (request, response) => {
      if (request.getMethod() === "HEAD" && response.getStatus() === 200) {
        item.resumedAt = Number(response.getHeader("Upload-Offset") ?? 0);
        item.sent = item.resumedAt;
        changed(item);
      }
      const videoId = response.getHeader("Vidseg-Video-Id");
      if (videoId) item.videoId = Number(videoId);
    },
    onSuccess: () => {
      item.state = "done";
      item.sent = item.total;
      item.errorKey = undefined;
      changed(item);
    },
    onError: (error) => {
      const refusal = refusalOf(error);
      item.errorKey = refusal.errorKey;
      item.serverMessage = refusal.serverMessage;
      item.state = refusal.final ? "failed" : "paused";
      // A refused file is forgotten (its upload was removed by the server or is terminated now).
      if (refusal.final) void upload.abort(true).catch(() => undefined);
      changed(item);
    },
  });
  item.upload = upload;
  try {
    const previous = await upload.findPreviousUploads();
    if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
  } catch {
    // no storage: a fresh upload
  }
  item.state = "uploading";
  changed(item);
  upload.start();
}

export function pause(item: UploadItem): void {
  if (item.state !== "uploading" || !item.upload) return;
  void item.upload.abort(false);
  item.state = "paused";
  changed(item);
}

export function resume(item: UploadItem): void {
  if (item.state !== "paused" || !item.upload) return;
  item.state = "uploading";
  item.errorKey = undefined;
  item.serverMessage = undefined;
  changed(item);
  item.upload.start();
}

export function remove(item: UploadItem): void {
  if (item.state === "uploading") void item.upload?.abort(false);
  items.splice(items.indexOf(item), 1);
  changed(null);
}
