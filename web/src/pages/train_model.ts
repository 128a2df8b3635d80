// Training a pattern model from the platform (a `train` job, issue 12): the form under a finished
// dataset build (the model's name, the features, the epochs and the architecture — the options of
// `vidseg train`), and, on a finished train job, its report and the registration of its model under a
// name (POST /api/jobs/{id}/register-model) for predict jobs.
import { api, type JobFile, type TrainFeatures } from "../api";
import { h } from "../dom";
import { t } from "../i18n/i18n";
import { errorBox, type PageContext } from "../page";

const featureChoices: TrainFeatures[] = ["audio", "audio-visual", "transcripts"];
const archChoices = ["linear", "bilstm", "cnn-lstm", "transformer-crf"];
const modelNamePattern = "[A-Za-z0-9_][A-Za-z0-9._\\-]{0,99}";

function nameInput(id: string, value: string): HTMLInputElement {
  return h("input", { id, value, required: true, pattern: modelNamePattern, maxlength: 100, autocomplete: "off", "aria-describedby": `${id}-hint` });
}

// A finished dataset build (its metadata.jsonl among the files): "Train a model" on it.
export function trainModelForm(buildId: number, files: JobFile[], ctx: PageContext): HTMLElement | null {
  if (!files.some((f) => f.name === "metadata.jsonl")) return null;
  const name = nameInput("train-name", `dataset-${buildId}`);
  const features = h("select", { id: "train-features" }, ...featureChoices.map((f) => h("option", { value: f }, t(`train.features.${f}`))));
  const arch = h("select", { id: "train-arch" }, ...archChoices.map((a) => h("option", { value: a }, a)));
  const epochs = h("input", { id: "train-epochs", type: "number", min: 1, max: 1000, value: 40, required: true });
  const status = h("div", { role: "status", "data-testid": "train-status" });
  const form = h(
    "form",
    { class: "card train-form", "aria-labelledby": "train-title", "data-testid": "train-form" },
    h("h2", { id: "train-title" }, t("train.title")),
    h("p", { class: "muted" }, t("train.hint")),
    h("div", { class: "field" }, h("label", { for: "train-name" }, t("train.name")), name, h("p", { id: "train-name-hint", class: "muted hint" }, t("train.nameHint"))),
    h("div", { class: "field" }, h("label", { for: "train-features" }, t("train.featuresLabel")), features),
    h("div", { class: "field" }, h("label", { for: "train-arch" }, t("train.arch")), arch),
    h("div", { class: "field" }, h("label", { for: "train-epochs" }, t("train.epochs")), epochs),
    h("button", { type: "submit", class: "primary" }, t("train.submit")),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const job = await api.trainModel(buildId, features.value as TrainFeatures, { arch: arch.value, epochs: Number(epochs.value) }, name.value.trim());
      ctx.navigate(`/jobs/${job.id}`);
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  });
  return form;
}

// A finished train job: what it learned and the registration of its model.
export async function trainedModelBlock(jobId: number, files: JobFile[]): Promise<HTMLElement | null> {
  const report = files.find((f) => f.name === "train.json");
  if (!report || !files.some((f) => f.name === "model")) return null;
  const doc = (await fetch(report.url, { credentials: "same-origin" }).then((r) => r.json()).catch(() => null)) as
    | { arch?: string; labels?: string[]; registered_as?: string; training?: { epochs_run?: number } }
    | null;
  const name = nameInput("register-name", doc?.registered_as ?? `model-${jobId}`);
  const status = h("div", { role: "status", "data-testid": "register-status" });
  if (doc?.registered_as) status.replaceChildren(h("p", { class: "notice" }, t("train.registered", { name: doc.registered_as })));
  const form = h(
    "form",
    { class: "card register-form", "aria-labelledby": "register-title", "data-testid": "register-form" },
    h("h2", { id: "register-title" }, t("train.registerTitle")),
    doc ? h("p", { "data-testid": "train-summary" }, t("train.summary", { arch: doc.arch ?? "", labels: (doc.labels ?? []).join(", "), epochs: String(doc.training?.epochs_run ?? "") })) : null,
    h("div", { class: "field" }, h("label", { for: "register-name" }, t("train.name")), name, h("p", { id: "register-name-hint", class: "muted hint" }, t("train.nameHint"))),
    h("button", { type: "submit" }, t("train.register")),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const info = await api.registerTrainedModel(jobId, name.value.trim());
      status.replaceChildren(h("p", { class: "notice" }, t("train.registered", { name: info.name })));
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  });
  return form;
}
