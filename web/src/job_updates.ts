// How a page learns that a job changed. Today: polling GET /api/jobs/{id} every second while the job
// has not ended. The seam for Server-Sent Events: when the server offers GET /api/jobs/{id}/events,
// an EventSource-based JobUpdates replaces PollingJobUpdates in createJobUpdates() and no page changes.
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

export function createJobUpdates(): JobUpdates {
  return new PollingJobUpdates();
}
