// The publish groups page (R16, issue 15): list and create groups, add products from a
// search selection and remove them, validate (every problem per product, as the server
// reports it), schedule for a date and time in the user's time zone (shown), unschedule,
// publish now and follow the job's progress. Every rule is the server's: this page sends
// what the user chose and shows the answer, in words.
import { api, config, errorMessages, request } from "./api.js";
import { $, confirmDialog, h, hideAlert, showAlert } from "./dom.js";
import { workingGroupGet, workingGroupSet } from "./group_working.js";
import { jobCountsText } from "./job_counts.js";

const canManage = config.can.publish;
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
// dateStyle/timeStyle cannot be combined with timeZoneName: the fields are spelled out.
const longDate = new Intl.DateTimeFormat(undefined, { weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
const shortDate = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

let groups = [];
let current = null; // the selected group, as the API answered it
let report = null; // the last validation of the selected group
let timer = null;
const picked = new Set(); // product numbers ticked in the search results

const errorBox = $("#groups-error");
const detail = $("#group-detail");

function fail(err, box = $("#group-error")) {
  showAlert(box, errorMessages(err));
}

function offsetName(date) {
  const part = new Intl.DateTimeFormat(undefined, { timeZoneName: "longOffset" }).formatToParts(date).find((p) => p.type === "timeZoneName");
  return part ? part.value : "";
}

function scheduler(status) {
  const box = $("#scheduler-warning");
  if (!status || status.ok) hideAlert(box);
  else showAlert(box, status.warning, "warning");
}

async function loadList() {
  try {
    const page = await api.get("publish-groups/", { page_size: 200 });
    scheduler(page.scheduler);
    groups = page.results;
    hideAlert(errorBox);
  } catch (err) {
    fail(err, errorBox);
    return;
  }
  renderList();
}

function renderList() {
  const list = $("#group-list");
  list.replaceChildren();
  if (!groups.length) list.append(h("li", { class: "muted", text: "No publish groups yet." }));
  for (const g of groups) {
    const meta = [`${g.products.length} product${g.products.length === 1 ? "" : "s"}`, g.status_label];
    if (g.scheduled_at) meta.push(shortDate.format(new Date(g.scheduled_at)));
    list.append(h("li", {},
      h("button", { type: "button", "aria-current": current && current.id === g.id ? "true" : false, dataset: { group: g.id }, onclick: () => select(g.id) },
        h("span", { class: "group-name", text: g.name }),
        h("span", { class: "group-meta", text: meta.join(" · ") }))));
  }
}

async function select(id, { keepReport = false } = {}) {
  clearTimeout(timer);
  if (!keepReport || !current || current.id !== id) report = null;
  try {
    current = await api.get(`publish-groups/${id}/`);
  } catch (err) {
    current = null;
    detail.hidden = true;
    fail(err, errorBox);
    return;
  }
  window.history.replaceState(null, "", `#group-${id}`);
  // A product of this group cannot be picked again (the search marks it).
  for (const number of current.products) picked.delete(number);
  updateAddButton();
  renderList();
  renderDetail();
  // The search results mark the products of the group now shown (not of the one before).
  if (canManage) search();
  if (current.status === "running" || (current.last_job && ["queued", "running"].includes(current.last_job.status))) {
    timer = setTimeout(() => refresh(), 1000);
  }
}

// While the group's job runs, its progress comes from the jobs API (as on the jobs page);
// when the job ends, the group is read again for its new status.
async function refresh() {
  if (!current) return;
  const job = current.last_job;
  if (job && ["queued", "running"].includes(job.status)) {
    try {
      const fresh = await api.get(`jobs/${job.id}/`);
      renderJob(fresh);
      if (["queued", "running"].includes(fresh.status)) {
        timer = setTimeout(refresh, 1000);
        return;
      }
    } catch (err) {
      fail(err);
    }
  }
  await select(current.id, { keepReport: true });
  loadList();
}

function contextText(g) {
  return `${g.channel || "Every channel"} / ${g.locale || "every locale"}`;
}

function renderDetail() {
  const g = current;
  detail.hidden = !g;
  if (!g) return;
  hideAlert($("#group-error"));
  $("#group-name").textContent = g.name;
  $("#group-context").textContent = `Publish group · ${contextText(g)}${g.publish_dependencies ? " · publishes media dependencies" : ""}`;
  const badge = $("#group-status");
  badge.textContent = g.status_label;
  badge.className = `badge badge-${g.status}`;
  $("#group-schedule-text").textContent = g.scheduled_at ? `Publishes ${longDate.format(new Date(g.scheduled_at))} (your time zone: ${timeZone})` : "";

  const warning = $("#group-warning");
  const lines = [];
  if (g.overdue && !g.scheduler_warning) lines.push("The scheduled time has passed; the group should start within a minute.");
  if (g.scheduler_warning) lines.push(g.scheduler_warning);
  if (lines.length) showAlert(warning, lines, "warning");
  else hideAlert(warning);

  const working = workingGroupGet();
  const workIn = $("#group-work-in");
  const isWorking = !!working && working.id === g.id;
  workIn.setAttribute("aria-pressed", String(isWorking));
  workIn.textContent = isWorking ? "Working in this group" : "Work in this group";
  workIn.hidden = !canManage;

  const running = g.status === "running";
  const idle = !running;
  // The API publishes a published group again (its products' new drafts): said so.
  $("#group-publish").textContent = g.status === "published" ? "Publish again" : "Publish now";
  $("#group-validate").disabled = false;
  for (const [id, allowed] of [
    ["#group-publish", canManage && idle && g.products.length > 0],
    ["#group-schedule", canManage && idle],
    ["#group-unschedule", canManage && g.status === "scheduled"],
    ["#group-delete", canManage && idle],
  ]) {
    const button = $(id);
    button.disabled = !allowed;
    button.title = !canManage ? "You need the publisher role." : running ? "The group is being published." : "";
  }
  $("#group-when").disabled = !canManage || running;
  const deps = $("#group-deps");
  deps.checked = g.publish_dependencies;
  deps.disabled = !canManage || running;
  $("#group-add").hidden = !canManage || running;
  updateTimeZoneNote();
  renderJob(g.last_job);
  renderValidation();
  renderProducts();
}

function updateTimeZoneNote() {
  const value = $("#group-when").value;
  const date = value ? new Date(value) : new Date();
  $("#group-tz").textContent = `Time zone: ${timeZone} (${offsetName(date)})`;
}

function renderJob(job) {
  const box = $("#group-job");
  box.hidden = !job;
  if (!job) return;
  const bar = $("#group-job-progress");
  bar.setAttribute("aria-valuenow", String(job.percent));
  bar.firstElementChild.style.width = `${job.percent}%`;
  bar.classList.toggle("failed", job.status === "failed");
  const counts = jobCountsText(job.counts);
  const finished = job.finished_at ? ` · finished ${shortDate.format(new Date(job.finished_at))}` : "";
  $("#group-job-status").textContent = `Job #${job.id}: ${job.status_label} · ${job.percent}%${job.progress_total ? ` (${job.progress_done}/${job.progress_total})` : ""}${counts ? ` · ${counts}` : ""}${finished}`;
  $("#group-job-errors").replaceChildren(...(job.errors || []).map((e) => h("li", { text: typeof e === "string" ? e : e.reason || e.detail || JSON.stringify(e) })));
}

function renderValidation() {
  const box = $("#group-validation");
  box.hidden = !report;
  if (!report) return;
  const summary = $("#group-validation-summary");
  const blocked = report.by_product.filter((row) => row.problems.length).length;
  const general = report.problems.filter((p) => !p.product).map((p) => p.reason);
  summary.className = report.valid ? "ok" : "error-text";
  summary.textContent = report.valid
    ? `Ready to publish: ${report.documents_to_publish} checked-in document${report.documents_to_publish === 1 ? "" : "s"} of ${report.products} product${report.products === 1 ? "" : "s"}.`
    : [`Cannot publish yet: ${blocked} product${blocked === 1 ? "" : "s"} with problems.`, ...general].join(" ");
}

function productCell(number) {
  if (!report) return h("td", { class: "muted small", text: "Not validated yet" });
  const row = report.by_product.find((r) => r.product === number);
  if (!row) return h("td", { class: "muted small", text: "Added after the last validation" });
  if (!row.problems.length && !row.warnings.length) return h("td", { class: "ok small", text: `OK · ${row.documents} document${row.documents === 1 ? "" : "s"} to publish` });
  return h("td", { class: "small" },
    h("ul", {},
      row.problems.map((p) => h("li", { class: "error-text", text: p.reason })),
      row.warnings.map((w) => h("li", { class: "warn", text: w }))));
}

function renderProducts() {
  const rows = $("#group-product-rows");
  rows.replaceChildren();
  if (!current.items.length) rows.append(h("tr", {}, h("td", { colspan: 4, class: "muted", text: "No products yet. Add them below, or from a product's page." })));
  for (const item of current.items) {
    const link = config.workspace_product_url.replace("__number__", encodeURIComponent(item.number));
    rows.append(h("tr", { dataset: { product: item.number } },
      h("td", {}, h("a", { href: link, text: item.number })),
      h("td", { text: item.name }),
      productCell(item.number),
      h("td", {}, canManage && current.status !== "running"
        ? h("button", { type: "button", class: "btn btn-small", "aria-label": `Remove ${item.number}`, onclick: () => removeProduct(item.number), text: "Remove" })
        : null)));
  }
}

async function act(run, after, box = $("#group-error")) {
  hideAlert(box);
  try {
    const result = await run();
    if (after) await after(result);
  } catch (err) {
    fail(err, box);
    return false;
  }
  return true;
}

async function removeProduct(number) {
  await act(() => api.post(`publish-groups/${current.id}/remove`, { products: [number] }), async () => {
    await loadList();
    await select(current.id, { keepReport: true });
  });
}

// Search and add: the search result selection goes to the server in one request.
let searchSeq = 0;
async function search() {
  const mine = ++searchSeq;
  const q = $("#group-search").value.trim();
  const results = $("#group-search-results");
  try {
    const page = await api.get("products/", { q, page_size: 25 });
    if (mine !== searchSeq) return;
    const inGroup = new Set(current ? current.products : []);
    results.replaceChildren();
    for (const p of page.results) {
      const already = inGroup.has(p.number);
      const box = h("input", { type: "checkbox", value: p.number, checked: picked.has(p.number) && !already ? true : false, disabled: already ? true : false, onchange: (e) => { if (e.target.checked) picked.add(p.number); else picked.delete(p.number); updateAddButton(); } });
      results.append(h("li", { class: already ? "in-group" : null, dataset: { product: p.number } },
        h("label", {}, box, h("span", { text: `${p.number} · ${p.name}` }), already ? h("span", { class: "badge badge-soft already", text: "Already in this group" }) : null)));
    }
    if (!page.results.length) results.append(h("li", { class: "muted", text: q ? `Nothing matches “${q}”.` : "No products." }));
  } catch (err) {
    if (mine === searchSeq) results.replaceChildren(h("li", { class: "error-text", text: errorMessages(err).join(" ") }));
  }
}

function updateAddButton() {
  const button = $("#group-add-selected");
  button.disabled = picked.size === 0;
  button.textContent = picked.size ? `Add ${picked.size} selected` : "Add selected";
}

let debounce = null;
$("#group-search").addEventListener("input", () => {
  clearTimeout(debounce);
  debounce = setTimeout(search, 250);
});
$("#group-select-all").addEventListener("click", () => {
  for (const box of document.querySelectorAll("#group-search-results input[type=checkbox]:not(:disabled)")) {
    box.checked = true;
    picked.add(box.value);
  }
  updateAddButton();
});
$("#group-add-selected").addEventListener("click", () =>
  act(() => api.post(`publish-groups/${current.id}/add`, { products: [...picked] }), async () => {
    picked.clear();
    updateAddButton();
    await loadList();
    await select(current.id, { keepReport: true });
    search();
  }));

$("#group-validate").addEventListener("click", () =>
  act(() => api.post(`publish-groups/${current.id}/validate`), (result) => {
    report = result.data;
    renderValidation();
    renderProducts();
  }));

$("#group-publish").addEventListener("click", async () => {
  const again = current.status === "published";
  const ok = await confirmDialog({
    title: again ? "Publish the group again?" : "Publish the group now?",
    body: `This publishes the checked-in drafts of ${current.products.length} product(s) in ${contextText(current)} as one job${again ? "; what was published before and has not changed stays as it is" : ""}.`,
    ok: again ? "Publish again" : "Publish now",
  });
  if (!ok) return;
  await act(() => api.post(`publish-groups/${current.id}/publish`), async () => {
    await loadList();
    await select(current.id);
  });
});

$("#group-deps").addEventListener("change", (event) =>
  act(() => request("PATCH", `publish-groups/${current.id}/`, { body: { publish_dependencies: event.target.checked } }), async () => {
    report = null;
    await select(current.id);
  }));

$("#group-when").addEventListener("input", updateTimeZoneNote);
$("#group-schedule").addEventListener("click", async () => {
  const value = $("#group-when").value;
  if (!value) {
    showAlert($("#group-error"), ["Choose the date and time to publish at."]);
    return;
  }
  // datetime-local is the user's wall-clock time in their time zone; the server gets UTC.
  const when = new Date(value);
  await act(() => api.post(`publish-groups/${current.id}/schedule`, { scheduled_at: when.toISOString() }), async () => {
    await loadList();
    await select(current.id);
  });
});
$("#group-unschedule").addEventListener("click", () =>
  act(() => api.post(`publish-groups/${current.id}/unschedule`), async () => {
    await loadList();
    await select(current.id);
  }));
$("#group-delete").addEventListener("click", async () => {
  const ok = await confirmDialog({ title: "Delete the group?", body: `“${current.name}” is deleted; its products and their drafts stay as they are.`, ok: "Delete group", danger: true });
  if (!ok) return;
  await act(() => request("DELETE", `publish-groups/${current.id}/`), async () => {
    if (workingGroupGet() && workingGroupGet().id === current.id) workingGroupSet(null);
    current = null;
    report = null;
    detail.hidden = true;
    window.history.replaceState(null, "", window.location.pathname);
    await loadList();
  });
});
$("#group-work-in").addEventListener("click", () => {
  const working = workingGroupGet();
  workingGroupSet(working && working.id === current.id ? null : current);
  renderDetail();
});

const createForm = $("#group-create");
if (createForm) {
  createForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      name: $("#group-new-name").value,
      channel: $("#group-new-channel").value || null,
      locale: $("#group-new-locale").value || null,
      publish_dependencies: $("#group-new-deps").checked,
    };
    await act(() => api.post("publish-groups/", body), async (result) => {
      createForm.reset();
      await loadList();
      await select(result.data.id);
      search();
    }, errorBox);
  });
}

function hashGroup() {
  const match = window.location.hash.match(/^#group-(\d+)$/);
  return match ? Number(match[1]) : null;
}

async function start() {
  await loadList();
  if (hashGroup() !== null) await select(hashGroup());
  if (canManage) search();
}

// A link to another group of this page (or Back to one) changes only the fragment.
window.addEventListener("hashchange", () => {
  const id = hashGroup();
  if (id !== null && (!current || current.id !== id)) select(id);
});

start();
