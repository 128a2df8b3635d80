// The vidseg serve API (src/vidseg/server/openapi.json) as the UI uses it: the browser session cookie
// plus the CSRF token on requests that change state; errors as ApiError with the server's code.
export type Role = "admin" | "dl-user";
// language: the interface language the user chose (stored on the server); null until chosen.
export interface User { id: number; name: string; role: Role; created: number; language?: "en" | "ru" | null; csrf_token?: string }
export interface MediaStream { type: string; codec?: string; width?: number; height?: number; fps?: number }
export interface VideoInfo { duration?: number; media?: { container?: string; streams?: MediaStream[] } }
export interface Video {
  id: number; owner_id: number; name: string; key: string; size: number; sha256: string;
  state: "storing" | "arriving" | "ready" | "error"; info: VideoInfo | null; created: number;
}
export type JobState = "queued" | "running" | "finished" | "error" | "cancelled";
export interface Job {
  id: number; owner_id: number; kind: string; video_ids: number[]; options: Record<string, unknown>;
  state: JobState; stage: string; progress: number; error: string | null; attempts: number;
  created: number; started?: number; finished?: number;
}
export interface JobFile { name: string; size: number; key: string; url: string }
export interface WaveformPeaks { sample_rate: number; channels: number; frames: number; duration: number; peaks: number[] }
export interface RegisteredModel { name: string; arch: string; task: string; labels: string[]; size: number; registered_by: string; registered_at: number }
export type TrainFeatures = "audio" | "audio-visual" | "transcripts";
export type ReviewDecision = "kept" | "excluded";
export interface ReviewCandidate { time: number; image: string }
export interface ReviewItem {
  item: string; number: number; lesson: string; start: number; end: number; patterns: string[]; annotator: string;
  split: string; keyframe_time: number; image: string; candidates: ReviewCandidate[];
  decision: ReviewDecision | null; reason: string; picked: number | null;
}
export interface DatasetReview { job: Job; items: ReviewItem[]; decisions: number }
export interface IntroEpisode {
  video_id: number; episode: string; name: string; duration: number | null; detected: [number, number] | null;
  confidence: number; variant: number | null; error: string; corrected: [number, number] | null;
  corrected_by: string | null; corrected_at: number | null;
}
export interface IntroSeries { job: Job; episodes: IntroEpisode[] }
export interface Token { id: number; label: string; created: number; last_used?: number; revoked: boolean }
export interface AuditEntry { id: number; time: number; user_id?: number; user?: string; action: string; subject: string; detail: string; ip: string }

// The Label Studio connection (/api/labelstudio…): the deployment's status, projects made from a
// pattern list and videos, the annotations pulled back, the agreement report of `vidseg dataset agreement`.
export interface LabelStudioStatus {
  configured: boolean; url: string; webhooks: boolean; public_url: string; reachable: boolean; user: string | null;
  error: { code: string; message: string } | null;
}
export interface LabelStudioPattern { name: string; [key: string]: unknown }
export interface LabelStudioProject {
  id: number; owner_id: number; name: string; labelstudio_id: number | null; video_ids: number[];
  patterns: LabelStudioPattern[]; state: string; error: string | null; task_count: number; webhook: boolean;
  last_pull: number | null; created: number;
}
export interface LabelStudioAnnotation {
  id: number; task_id: number; video_id: number | null; annotator_id: number; annotator: string; source: string;
  missing: boolean; updated: number; annotation: { result?: unknown[] };
}
export interface WebhookDelivery {
  action: string; received: number; annotation: number | null; task: number | null;
  outcome: "stored" | "ignored" | "error"; message: string | null;
}
export interface LabelStudioWebhookState { enabled: boolean; last: WebhookDelivery | null; deliveries: WebhookDelivery[] }
export interface LabelStudioPull { project: LabelStudioProject; annotations: number; new: number; updated: number; missing: number }
export interface AgreementPattern {
  label: string; kappa: number | null; band: string; percent_agreement: number | null; segments: number; matched: number;
  shared_units: number; consensus: number;
}
export interface AgreementReport {
  annotators: string[]; method: string; units: number; shared_units: number; patterns: AgreementPattern[];
  overall: { kappa: number | null; band: string; percent_agreement: number | null };
  pairs: { a: string; b: string; kappa: number | null; percent_agreement: number | null }[]; consensus_segments: number;
}
// A pattern list as sent: text (a .txt or .csv list) or an uploaded file (xlsx / csv / txt) in base64.
export type PatternListInput = { text: string; fileName: string } | { file: { file_name: string; content_base64: string } };

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

let csrfToken = "";
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token ?? "";
}
export function csrfHeader(): Record<string, string> {
  return csrfToken ? { "X-CSRF-Token": csrfToken } : {};
}

// Called on a 401 from any request (the session ended): the app shows the login page.
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") Object.assign(headers, csrfHeader());
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  const text = await response.text();
  let doc: unknown = null;
  try {
    doc = text ? JSON.parse(text) : null;
  } catch {
    doc = null;
  }
  if (!response.ok) {
    const error = (doc as { error?: { code?: string; message?: string } } | null)?.error;
    if (response.status === 401 && path !== "/api/login") onUnauthorized();
    throw new ApiError(response.status, error?.code ?? "http_error", error?.message ?? `${response.status} ${response.statusText}`);
  }
  return doc as T;
}

export const api = {
  login: (username: string, password: string) =>
    request<{ user: User; csrf_token: string; expires: number }>("POST", "/api/login", { username, password, api_token: false }),
  logout: () => request<unknown>("POST", "/api/logout"),
  me: () => request<User>("GET", "/api/me"),
  setMyLanguage: (language: "en" | "ru") => request<User>("PUT", "/api/me", { language }),
  videos: () => request<{ videos: Video[] }>("GET", "/api/videos").then((r) => r.videos),
  video: (id: number) => request<Video>("GET", `/api/videos/${id}`),
  deleteVideo: (id: number) => request<unknown>("DELETE", `/api/videos/${id}`),
  videoFileUrl: (id: number) => `/api/videos/${id}/file`,
  videoPeaks: (id: number) => request<WaveformPeaks>("GET", `/api/videos/${id}/peaks`),
  models: () => request<{ models: RegisteredModel[] }>("GET", "/api/models").then((r) => r.models),
  // A pattern model trained on a finished dataset build (a `train` job), registered under `registerAs`.
  trainModel: (datasetJobId: number, features: TrainFeatures, options: Record<string, unknown>, registerAs?: string) =>
    request<Job>("POST", "/api/jobs", {
      kind: "train", video_ids: [], options,
      inputs: { dataset: datasetJobId, features, ...(registerAs ? { register_as: registerAs } : {}) },
    }),
  registerTrainedModel: (jobId: number, name: string) => request<RegisteredModel>("POST", `/api/jobs/${jobId}/register-model`, { name }),
  jobs: () => request<{ jobs: Job[] }>("GET", "/api/jobs").then((r) => r.jobs),
  job: (id: number) => request<Job>("GET", `/api/jobs/${id}`),
  submitJob: (kind: string, videoIds: number[], options: Record<string, unknown>) =>
    request<Job>("POST", "/api/jobs", { kind, video_ids: videoIds, options }),
  cancelJob: (id: number) => request<Job>("POST", `/api/jobs/${id}/cancel`),
  retryJob: (id: number) => request<Job>("POST", `/api/jobs/${id}/retry`),
  jobLog: (id: number) => request<{ lines: { time: number; line: string }[] }>("GET", `/api/jobs/${id}/log`).then((r) => r.lines),
  jobFiles: (id: number) => request<{ files: JobFile[] }>("GET", `/api/jobs/${id}/files`).then((r) => r.files),
  jobZipUrl: (id: number) => `/api/jobs/${id}/files.zip`,
  review: (id: number) => request<DatasetReview>("GET", `/api/jobs/${id}/review`),
  decide: (id: number, decision: { item: string; decision: ReviewDecision; reason?: string; keyframe?: number }) =>
    request<DatasetReview>("POST", `/api/jobs/${id}/review`, decision),
  reviewLogUrl: (id: number) => `/api/jobs/${id}/review.jsonl`,
  rebuild: (id: number) => request<Job>("POST", `/api/jobs/${id}/rebuild`),
  // A keyframe model learned from the review decisions of these dataset builds (a `keyframes learn` job).
  learnKeyframes: (reviewJobIds: number[]) =>
    request<Job>("POST", "/api/jobs", { kind: "keyframes learn", video_ids: [], options: {}, inputs: { reviews: reviewJobIds } }),
  intros: () => request<{ series: IntroSeries[] }>("GET", "/api/intros"),
  correctIntro: (jobId: number, videoId: number, start: number, end: number) =>
    request<IntroSeries>("PUT", `/api/intros/${jobId}/episodes/${videoId}`, { start, end }),
  introLabelsUrl: (jobId: number) => `/api/intros/${jobId}/labels.json`,
  relearnIntros: (jobId: number) => request<Job>("POST", `/api/intros/${jobId}/relearn`),
  tokens: () => request<{ tokens: Token[] }>("GET", "/api/tokens").then((r) => r.tokens),
  createToken: (label: string) => request<Token & { token: string }>("POST", "/api/tokens", { label }),
  revokeToken: (id: number) => request<unknown>("DELETE", `/api/tokens/${id}`),
  users: () => request<{ users: User[] }>("GET", "/api/users").then((r) => r.users),
  createUser: (username: string, password: string, role: Role) => request<User>("POST", "/api/users", { username, password, role }),
  setRole: (id: number, role: Role) => request<User>("PUT", `/api/users/${id}/role`, { role }),
  labelStudio: () => request<LabelStudioStatus>("GET", "/api/labelstudio"),
  labelStudioProjects: () => request<{ projects: LabelStudioProject[] }>("GET", "/api/labelstudio/projects").then((r) => r.projects),
  labelStudioProject: (id: number) => request<LabelStudioProject>("GET", `/api/labelstudio/projects/${id}`),
  createLabelStudioProject: (name: string, patterns: PatternListInput, videoIds: number[]) =>
    request<LabelStudioProject>("POST", "/api/labelstudio/projects", {
      name,
      video_ids: videoIds,
      ...("text" in patterns ? { patterns: patterns.text, patterns_file_name: patterns.fileName } : { patterns: patterns.file }),
    }),
  labelStudioWebhook: (id: number) => request<LabelStudioWebhookState>("GET", `/api/labelstudio/projects/${id}/webhook`),
  retryLabelStudioProject: (id: number) => request<LabelStudioProject>("POST", `/api/labelstudio/projects/${id}/retry`),
  pullLabelStudioProject: (id: number) => request<LabelStudioPull>("POST", `/api/labelstudio/projects/${id}/pull`),
  labelStudioAnnotations: (id: number) =>
    request<{ annotations: LabelStudioAnnotation[] }>("GET", `/api/labelstudio/projects/${id}/annotations`).then((r) => r.annotations),
  labelStudioAgreement: (id: number) => request<AgreementReport>("GET", `/api/labelstudio/projects/${id}/agreement`),
  removeLabelStudioProject: (id: number, inLabelStudio: boolean) =>
    request<unknown>("DELETE", `/api/labelstudio/projects/${id}?label_studio=${inLabelStudio}`),
  labelStudioConsensusUrl: (id: number) => `/api/labelstudio/projects/${id}/consensus`,
  buildFromLabelStudio: (id: number) => request<Job>("POST", `/api/labelstudio/projects/${id}/build`, { options: {} }),
  audit: (limit = 200) => request<{ entries: AuditEntry[] }>("GET", `/api/audit?limit=${limit}`).then((r) => r.entries),
};
