// How a page learns that a job changed: the server's Server-Sent Events (GET /api/jobs/{id}/events:
// `event: job` on every change, then `event: end` with the final state), or, where a browser has no
// EventSource, polling GET /api/jobs/{id} every second while the job has not ended.
import { api, type Job } from "./api";

export interface JobUpdates {
  // Calls onJob with every new state of the job until the returned function is called or it ends.
  watch(id: number, onJob: (job: Job) => void, onError: (error: unknown) => void): () => void;
}

export const ended = (job: Job): boolean => job.state === "finished" || job.state === "error" || job.state === "cancelled";

export class PollingJobUpdates implements JobUpdates {
  constructor(private readonly intervalMs = 1000) {}

  watch(id: number, onJob: (job: Job) => void, onError: (error: unknown) => void): () => void {
    let stopped = false;
    let timer: number | undefined;
    const tick = async () => {
      try {
        const job = await api.job(id);
        if (stopped) return;
        onJob(job);
        if (!ended(job)) timer = window.setTimeout(tick, this.intervalMs);
      } catch (error) {
        if (!stopped) onError(error);
      }
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) window.clearTimeout(timer);
    };
  }
}

export class EventSourceJobUpdates implements JobUpdates {
  watch(id: number, onJob: (job: Job) => void, onError: (error: unknown) => void): () => void {
    // Same origin: the session cookie goes with the request (a GET needs no CSRF token).
    const source = new EventSource(`/api/jobs/${id}/events`);
    const receive = (event: MessageEvent<string>) => onJob(JSON.parse(event.data) as Job);
    source.addEventListener("job", receive as EventListener);
    source.addEventListener("end", ((event: MessageEvent<string>) => {
      source.close();  // the job ended: no reconnection
      receive(event);
    }) as EventListener);
    // A dropped connection reconnects by itself (the server sends `retry: 2000`); only a refused
    // one (404, logged out) closes the source for good.
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) onError(new Error(`job ${id}: progress stream closed`));
    };
    return () => source.close();
  }
}

export function createJobUpdates(): JobUpdates {
  return typeof EventSource === "function" ? new EventSourceJobUpdates() : new PollingJobUpdates();
}
