// Publish: the first-time explanation (its "don't show again" is remembered per user on the
// server, so it holds in every browser), the unpublished-dependencies dialog with "Publish all",
// then the job's progress. Works for products (a job) and categories (immediate).
import { api, ApiError, config, errorMessages } from "./api.js";
import { $, closeDialog, formatDate, h, openDialog } from "./dom.js";
import { contextQuery, loadDocument, setError } from "./document.js";
import { emit, state } from "./store.js";
import { jobCountsText } from "./job_counts.js";

const SKIP_KEY = "publish-intro-skip";

function waitFor(dialog, okId, cancelId) {
  return new Promise((resolve) => {
    const ok = $(okId);
    const cancel = $(cancelId);
    const done = (answer) => (event) => {
      if (event) event.preventDefault();
      ok.removeEventListener("click", onOk);
      cancel.removeEventListener("click", onCancel);
      dialog.removeEventListener("cancel", onCancel);
      closeDialog(dialog);
      resolve(answer);
    };
    const onOk = done(true);
    const onCancel = done(false);
    ok.addEventListener("click", onOk);
    cancel.addEventListener("click", onCancel);
    dialog.addEventListener("cancel", onCancel);
    openDialog(dialog);
    ok.focus();
  });
}

async function explain() {
  if (config.preferences[SKIP_KEY] === true) return true;
  const skip = $("#publish-intro-skip");
  skip.checked = false;
  const ok = await waitFor($("#publish-intro-dialog"), "#publish-intro-ok", "#publish-intro-cancel");
  if (ok && skip.checked) {
    config.preferences[SKIP_KEY] = true;
    try {
      await api.put(`${config.preferences_url}${SKIP_KEY}`, { value: true });
    } catch (error) {
      // Publishing goes on; only the choice is not remembered for next time.
      console.warn("Could not remember the choice:", error.message);
    }
  }
  return ok;
}

// R27: what an item outside its availability window means for shops, in plain words.
export function availabilityNote(item) {
  if (item.availability === "expired") return `Expired on ${formatDate(item.expires_at)} — shops will not show it`;
  if (item.availability === "scheduled") return `Available from ${formatDate(item.available_from)} — shops will not show it until then`;
  return "";
}

function confirmDependencies(dependencies, expired) {
  const note = (d) => availabilityNote(d) && h("span", { class: "small warning-text", text: ` · ${availabilityNote(d)}` });
  $("#deps-intro").hidden = !dependencies.length;
  $("#deps-list").hidden = !dependencies.length;
  $("#deps-list").replaceChildren(...dependencies.map((d) => h("li", {}, h("strong", { text: d.display_name }), h("span", { class: "muted small", text: ` · ${d.kind_label} · ${d.status_label}` }), note(d) || null)));
  $("#deps-expired").hidden = !expired.length;
  $("#deps-expired-list").replaceChildren(...expired.map((d) => h("li", {}, h("strong", { text: d.display_name }), h("span", { class: "small", text: ` · ${availabilityNote(d)}` }))));
  $("#deps-title").textContent = dependencies.length ? "Unpublished dependencies" : "Media shops will not show";
  $("#deps-publish-all").textContent = dependencies.length ? "Publish all" : "Publish anyway";
  return waitFor($("#deps-dialog"), "#deps-publish-all", "#deps-cancel");
}

// POST, and on a dependencies refusal ask, then POST again with publish_dependencies.
async function postWithDependencies(path, query) {
  try {
    return await api.post(path, { publish_dependencies: false }, query);
  } catch (err) {
    if (err instanceof ApiError && err.status === 409 && Array.isArray(err.body.dependencies)) {
      if (!(await confirmDependencies(err.body.dependencies, err.body.expired || []))) return null;
      return api.post(path, { publish_dependencies: true }, query);
    }
    throw err;
  }
}

function showJob(job) {
  $("#job-title").textContent = job.status === "succeeded" ? "Published" : job.status === "failed" ? "Publishing failed" : "Publishing…";
  $("#job-description").textContent = job.description || `Job #${job.id}`;
  const bar = $("#job-progress");
  bar.setAttribute("aria-valuenow", String(job.percent));
  bar.firstElementChild.style.width = `${job.percent}%`;
  bar.classList.toggle("failed", job.status === "failed");
  const counts = jobCountsText(job.counts);
  $("#job-status").textContent = `${job.status_label || job.status} · ${job.percent}%${counts ? ` · ${counts}` : ""}`;
  $("#job-errors").replaceChildren(...(job.errors || []).map((e) => h("li", { class: "error-text", text: typeof e === "string" ? e : e.reason || e.detail || JSON.stringify(e) })));
}

async function follow(job) {
  const dialog = $("#job-dialog");
  $("#job-link").href = config.jobs_url;
  showJob(job);
  openDialog(dialog);
  $("#job-close").focus();
  while (job.status === "queued" || job.status === "running") {
    await new Promise((r) => setTimeout(r, 1000));
    try {
      job = await api.get(`jobs/${job.id}/`);
    } catch (err) {
      $("#job-status").textContent = errorMessages(err).join(" ");
      break;
    }
    showJob(job);
  }
  return job;
}

$("#job-close").addEventListener("click", () => closeDialog($("#job-dialog")));

export async function publish() {
  if (!(await explain())) return;
  state.busy = true;
  emit();
  try {
    const path = `products/${encodeURIComponent(state.entity.number)}/media/publish`;
    const result = await postWithDependencies(path, contextQuery());
    if (result) {
      await follow(result.data);
      await loadDocument();
    }
  } catch (err) {
    setError(err);
  } finally {
    state.busy = false;
    emit();
  }
}

// Categories publish at once (no job); the same explanation and dependencies dialogs.
export async function publishCategory(categoryId, channel) {
  if (!(await explain())) return null;
  return postWithDependencies(`categories/${categoryId}/media/publish`, { channel });
}
