// The jobs page: publish, import, export and copy jobs with status and progress; it
// refreshes every two seconds while any job is queued or running, offers a retry for failed
// ones (the API answers 403 with the reason when the user's role may not), and warns when
// no scheduler (Celery beat) has been seen lately.
import { api, errorMessages } from "./api.js";
import { $, h, hideAlert, showAlert, timeElement } from "./dom.js";

const rows = $("#job-rows");
const kind = $("#job-kind");
const note = $("#job-refresh-note");
let timer = null;
let loadFailed = false; // the error shown is the list's own (a retry's stays until the next)

function progress(job) {
  return h("div", { class: "job-progress" },
    h("div", { class: `progress progress-sm${job.status === "failed" ? " failed" : ""}`, role: "progressbar", "aria-label": `Progress of job ${job.id}`, "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": job.percent }, h("span", { style: `width:${job.percent}%` })),
    h("span", { class: "small muted", text: `${job.percent}%${job.progress_total ? ` (${job.progress_done}/${job.progress_total})` : ""}` }));
}

function counts(job) {
  const parts = Object.entries(job.counts || {}).map(([k, v]) => `${k.replaceAll("_", " ")}: ${v}`);
  const errors = (job.errors || []).slice(0, 3).map((e) => (typeof e === "string" ? e : e.reason || e.detail || JSON.stringify(e)));
  return h("td", { class: "small" }, parts.join(" · "), errors.length ? h("ul", { class: "error-text" }, errors.map((e) => h("li", { text: e }))) : null);
}

function scheduler(status) {
  const warning = $("#scheduler-warning");
  if (!status || status.ok) hideAlert(warning);
  else showAlert(warning, status.warning, "warning");
}

async function retry(job) {
  try {
    await api.post(`jobs/${job.id}/retry/`);
    hideAlert($("#jobs-error"));
  } catch (err) {
    showAlert($("#jobs-error"), errorMessages(err));
  }
  load();
}

function status(job) {
  const attempts = job.attempts > 1 ? h("span", { class: "small muted", text: ` attempt ${job.attempts}` }) : null;
  return h("td", {}, h("span", { class: `badge badge-job-${job.status}`, text: job.status_label }), attempts);
}

async function load() {
  clearTimeout(timer);
  try {
    const page = await api.get("jobs/", { kind: kind.value, page_size: 50 });
    if (loadFailed) hideAlert($("#jobs-error"));
    loadFailed = false;
    scheduler(page.scheduler);
    rows.replaceChildren();
    const jobs = page.results || page;
    if (!jobs.length) rows.append(h("tr", {}, h("td", { colspan: 10, class: "muted", text: "No jobs yet. Publishing, manifest imports and exports and tenant copies show here." })));
    for (const job of jobs) {
      rows.append(h("tr", { dataset: { job: job.id, status: job.status } },
        h("td", { text: job.id }),
        h("td", { text: job.kind_label }),
        h("td", {}, job.description || "", job.result_url ? h("a", { href: job.result_url, class: "small", text: " · result file" }) : null),
        status(job),
        h("td", {}, progress(job)),
        counts(job),
        h("td", { text: job.created_by || "system" }),
        h("td", { class: "small" }, timeElement(job.started_at || job.created_at)),
        h("td", { class: "small" }, timeElement(job.finished_at)),
        h("td", {}, job.status === "failed" ? h("button", { type: "button", class: "btn btn-small", text: "Retry", onclick: () => retry(job) }) : null)));
    }
    const running = jobs.some((j) => j.status === "queued" || j.status === "running");
    note.textContent = running ? "Refreshing while jobs run…" : `Updated ${new Date().toLocaleTimeString()}`;
    if (running) timer = setTimeout(load, 2000);
  } catch (err) {
    loadFailed = true;
    showAlert($("#jobs-error"), errorMessages(err));
  }
}

kind.addEventListener("change", load);
$("#job-refresh").addEventListener("click", load);
load();
