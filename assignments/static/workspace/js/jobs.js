// The jobs page: publish, import, export and copy jobs with status and progress; it
// refreshes every two seconds while any job is queued or running.
import { api, errorMessages } from "./api.js";
import { $, formatDate, h, hideAlert, showAlert } from "./dom.js";

const rows = $("#job-rows");
const kind = $("#job-kind");
const note = $("#job-refresh-note");
let timer = null;

function progress(job) {
  return h("div", { class: "job-progress" },
    h("div", { class: `progress progress-sm${job.status === "failed" ? " failed" : ""}`, role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": job.percent }, h("span", { style: `width:${job.percent}%` })),
    h("span", { class: "small muted", text: `${job.percent}%${job.progress_total ? ` (${job.progress_done}/${job.progress_total})` : ""}` }));
}

function counts(job) {
  const parts = Object.entries(job.counts || {}).map(([k, v]) => `${k.replaceAll("_", " ")}: ${v}`);
  const errors = (job.errors || []).slice(0, 3).map((e) => (typeof e === "string" ? e : e.reason || e.detail || JSON.stringify(e)));
  return h("td", { class: "small" }, parts.join(" · "), errors.length ? h("ul", { class: "error-text" }, errors.map((e) => h("li", { text: e }))) : null);
}

async function load() {
  clearTimeout(timer);
  try {
    const page = await api.get("jobs/", { kind: kind.value, page_size: 50 });
    hideAlert($("#jobs-error"));
    rows.replaceChildren();
    const jobs = page.results || page;
    if (!jobs.length) rows.append(h("tr", {}, h("td", { colspan: 9, class: "muted", text: "No jobs yet. Publishing, manifest imports and exports and tenant copies show here." })));
    for (const job of jobs) {
      rows.append(h("tr", { dataset: { job: job.id, status: job.status } },
        h("td", { text: job.id }),
        h("td", { text: job.kind }),
        h("td", {}, job.description || "", job.result_url ? h("a", { href: job.result_url, class: "small", text: " · result file" }) : null),
        h("td", {}, h("span", { class: `badge badge-job-${job.status}`, text: job.status })),
        h("td", {}, progress(job)),
        counts(job),
        h("td", { text: job.created_by || "system" }),
        h("td", { class: "small", text: formatDate(job.started_at || job.created_at) }),
        h("td", { class: "small", text: formatDate(job.finished_at) })));
    }
    const running = jobs.some((j) => j.status === "queued" || j.status === "running");
    note.textContent = running ? "Refreshing while jobs run…" : `Updated ${new Date().toLocaleTimeString()}`;
    if (running) timer = setTimeout(load, 2000);
  } catch (err) {
    showAlert($("#jobs-error"), errorMessages(err));
  }
}

kind.addEventListener("change", load);
$("#job-refresh").addEventListener("click", load);
load();
