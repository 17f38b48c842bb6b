// One library item: large preview (images with a focal-point picker, videos playing, a PDF's
// first page), metadata and tags, availability dates, renditions, publish / unpublish,
// replacing the file, its file versions and where it is used. Every change goes through
// the media API; the buttons a role may not use are not offered (the API refuses anyway).
import { api, ApiError, config, errorMessages, request } from "./api.js";
import { $, confirmDialog, focusFirst, focusLost, formatDate, h, hideAlert, showAlert } from "./dom.js";
import { formatBytes, previewUrl } from "./library_query.js";

const id = config.media_id;
const can = config.can;
let item = null;
const errorBox = $("#item-error");

function itemPath(suffix = "") {
  return `media/${id}/${suffix}`;
}

function fail(err) {
  showAlert(errorBox, errorMessages(err));
}

function ok(message) {
  showAlert(errorBox, message, "success");
}

// datetime-local wants local "YYYY-MM-DDTHH:MM"; the API speaks ISO 8601 with a zone.
function toLocalInput(value) {
  if (!value) return "";
  const d = new Date(value);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

function availabilityOf(it) {
  const now = Date.now();
  if (it.expires_at && new Date(it.expires_at).getTime() <= now) return "expired";
  if (it.available_from && new Date(it.available_from).getTime() > now) return "scheduled";
  return "available";
}

function renderHead() {
  $("#item-title").textContent = item.title || item.display_name;
  $("#item-name").textContent = item.display_name;
  document.title = `${item.title || item.display_name} · Media library · Mediahub`;
  const badges = [h("span", { class: `badge badge-${item.status}`, id: "item-status", text: item.status === "published" ? "Published" : "Draft" })];
  if ("expires_at" in item) {
    const state = item.availability || availabilityOf(item);
    if (state === "expired") badges.push(h("span", { class: "badge badge-expired", id: "item-availability", text: `Expired ${formatDate(item.expires_at)}` }));
    if (state === "scheduled") badges.push(h("span", { class: "badge badge-scheduled", id: "item-availability", text: `Scheduled from ${formatDate(item.available_from)}` }));
  }
  $("#item-badges").replaceChildren(...badges);
  const publish = $("#item-publish");
  const unpublish = $("#item-unpublish");
  if (publish) publish.hidden = item.status === "published";
  if (unpublish) unpublish.hidden = item.status !== "published";
}

function focalStage() {
  const img = h("img", { src: item.public_url, alt: item.alt_text || item.title || "", draggable: "false" });
  const dot = h("span", { class: "focal-dot", id: "focal-dot" });
  const stage = h("div", {
    class: "focal-stage",
    id: "focal-stage",
    tabindex: can.edit ? "0" : null,
    role: can.edit ? "group" : null,
    "aria-label": can.edit ? "Focal point picker" : null,
    "aria-describedby": can.edit ? "focal-help" : null,
  }, img, dot);
  const place = () => {
    dot.style.left = `${item.focal_x * 100}%`;
    dot.style.top = `${item.focal_y * 100}%`;
    $("#focal-readout").textContent = `Focal point: ${Math.round(item.focal_x * 100)}% from the left, ${Math.round(item.focal_y * 100)}% from the top.`;
  };
  place();
  if (can.edit) {
    stage.addEventListener("click", (e) => {
      const box = img.getBoundingClientRect();
      const x = Math.min(1, Math.max(0, (e.clientX - box.left) / box.width));
      const y = Math.min(1, Math.max(0, (e.clientY - box.top) / box.height));
      setFocal(x, y);
    });
    let pending = null;
    stage.addEventListener("keydown", (e) => {
      const step = e.shiftKey ? 0.01 : 0.05;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (!moves[e.key]) return;
      e.preventDefault();
      item.focal_x = Math.min(1, Math.max(0, item.focal_x + moves[e.key][0]));
      item.focal_y = Math.min(1, Math.max(0, item.focal_y + moves[e.key][1]));
      place();
      clearTimeout(pending);
      pending = setTimeout(() => setFocal(item.focal_x, item.focal_y), 400);
    });
  }
  return stage;
}

async function setFocal(x, y) {
  hideAlert(errorBox);
  try {
    const { data } = await request("PATCH", itemPath(), { body: { focal_x: Number(x.toFixed(4)), focal_y: Number(y.toFixed(4)) } });
    item = data;
    render();
    ok("Focal point saved; the crops are made again around it.");
  } catch (err) {
    fail(err);
  }
}

function renderPreview() {
  const box = $("#item-preview");
  $("#focal-help").hidden = !(item.kind === "image" && can.edit);
  $("#focal-readout").textContent = "";
  if (item.kind === "image") {
    box.replaceChildren(focalStage());
  } else if (item.kind === "video") {
    const poster = (item.renditions && (typeof item.renditions.gallery === "string" ? item.renditions.gallery : null)) || undefined;
    box.replaceChildren(h("video", { src: item.public_url, controls: true, preload: "metadata", poster, id: "item-video", "aria-label": item.title || item.display_name }));
  } else if (previewUrl(item, config.api)) {
    box.replaceChildren(
      h("figure", { class: "pdf-figure" },
        h("img", { class: "pdf-page", id: "pdf-page", src: previewUrl(item, config.api), alt: `First page of ${item.title || item.display_name}` }),
        h("figcaption", { class: "small" }, h("a", { href: item.public_url, target: "_blank", rel: "noopener" }, "Open the whole PDF")),
      ),
    );
  } else {
    box.replaceChildren(h("p", {}, h("a", { href: item.public_url, text: `Download ${item.original_filename}` })));
  }
}

function renditionEntries() {
  // Names to URLs today; richer shapes (width ladders, formats) are shown as they come.
  const out = [];
  for (const [name, value] of Object.entries(item.renditions || {})) {
    if (typeof value === "string") out.push({ name, url: value });
    else if (Array.isArray(value)) for (const v of value) out.push({ name: `${name} ${v.width || ""}${v.format ? ` ${v.format}` : ""}`.trim(), url: v.url, width: v.width, height: v.height });
    else if (value && typeof value === "object") out.push({ name, url: value.url, width: value.width, height: value.height, format: value.format });
  }
  for (const s of item.sources || []) out.push({ name: `${s.format || ""} ${s.width}w`.trim(), url: s.url, width: s.width, height: s.height, format: s.format });
  return out.filter((r) => r.url);
}

function renderRenditions() {
  const entries = renditionEntries();
  const box = $("#item-renditions");
  if (!entries.length) {
    box.replaceChildren(h("p", { class: "muted", text: item.kind === "image" || item.kind === "video" ? "No renditions yet; they are made in the background after upload." : "Only images and videos have renditions." }));
    return;
  }
  box.replaceChildren(
    h("ul", { class: "renditions" }, entries.map((r) => h("li", { dataset: { rendition: r.name } },
      h("img", { src: r.url, alt: "", loading: "lazy" }),
      h("strong", { text: r.name }),
      r.width ? h("span", { class: "muted", text: `${r.width}×${r.height || "?"}${r.format ? ` ${r.format}` : ""}` }) : null,
      h("a", { href: r.url, target: "_blank", rel: "noopener", text: "Open", "aria-label": `Open rendition ${r.name}` }),
    ))),
  );
}

function renderForm() {
  $("#f-title").value = item.title || "";
  $("#f-alt").value = item.alt_text || "";
  $("#f-caption").value = item.caption || "";
  $("#f-description").value = item.description || "";
  $("#f-display-name").value = item.display_name || "";
  $("#f-tags").value = (item.tags || []).join(", ");
  const lifecycle = "expires_at" in item;
  $("#availability").hidden = !lifecycle;
  if (lifecycle) {
    $("#f-available-from").value = toLocalInput(item.available_from);
    $("#f-expires-at").value = toLocalInput(item.expires_at);
    $("#f-usage-rights").value = item.usage_rights || "";
  }
  for (const el of $("#meta-form").querySelectorAll("input, textarea")) el.disabled = !can.edit;
}

function renderFacts() {
  const rows = [
    ["Kind", item.kind],
    ["File", item.original_filename],
    ["Type", item.mime_type],
    ["Size", formatBytes(item.size)],
    item.width ? ["Dimensions", `${item.width} × ${item.height} px`] : null,
    item.duration_seconds ? ["Duration", `${item.duration_seconds.toFixed(1)} s`] : null,
    ["Uploaded by", item.uploaded_by || "Imported / system"],
    ["Uploaded", formatDate(item.created_at)],
    ["Published", item.published_at ? formatDate(item.published_at) : "Not published"],
    ["Public URL", item.status === "published" ? item.public_url : "None while a draft"],
    ["Checksum", item.checksum],
  ].filter(Boolean);
  $("#item-facts").replaceChildren(...rows.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v, dataset: { fact: k } })]));
}

function usageText(entry) {
  if (typeof entry === "string") return entry;
  return entry.description || entry.label || [entry.product, entry.channel, entry.locale, entry.scope, entry.slot, entry.state].filter(Boolean).join(" · ") || JSON.stringify(entry);
}

// "POLO-001 (omnichannel / neutral) version 2, checked in Dec 4, 2026 by demo: primary".
function historyText(entry) {
  if (!entry || typeof entry !== "object" || entry.version == null) return usageText(entry);
  const where = [entry.channel, entry.locale].filter(Boolean).join(" / ");
  const when = entry.checked_in_at ? `, checked in ${formatDate(entry.checked_in_at)}` : "";
  const who = entry.checked_in_by ? ` by ${entry.checked_in_by}` : "";
  const slots = (entry.slots || []).length ? `: ${entry.slots.join(", ")}` : "";
  return `${entry.product}${where ? ` (${where})` : ""} version ${entry.version}${when}${who}${slots}`;
}

async function loadUsage() {
  const box = $("#item-usage");
  try {
    const usage = await api.get(itemPath("usage"));
    const current = usage.current || [];
    const history = usage.history || [];
    box.replaceChildren(
      h("h3", { text: `In use now (${current.length})` }),
      current.length ? h("ul", { class: "plain-list", id: "usage-current" }, current.map((u) => h("li", { text: usageText(u) }))) : h("p", { class: "muted", id: "usage-current", text: "No current draft, working copy or published content uses it." }),
      h("h3", { text: `Earlier versions (${history.length})` }),
      history.length ? h("ul", { class: "plain-list", id: "usage-history" }, history.map((u) => h("li", { text: historyText(u) }))) : h("p", { class: "muted", text: "No older versions used it." }),
    );
  } catch (err) {
    box.replaceChildren(h("p", { class: "muted", text: err.status === 404 ? "Where-used is not available on this server." : errorMessages(err).join(" ") }));
  }
}

async function loadVersions() {
  const box = $("#item-versions");
  try {
    const answer = await api.get(itemPath("versions"));
    const versions = Array.isArray(answer) ? answer : answer.results || answer.versions || [];
    if (!versions.length) {
      box.replaceChildren(h("p", { class: "muted", text: "Only the original file so far." }));
      return;
    }
    box.replaceChildren(
      h("table", { class: "table", id: "versions-table" },
        h("thead", {}, h("tr", {}, ["Version", "File", "Size", "Uploaded", ""].map((t, i) => h("th", { scope: "col" }, i === 4 ? h("span", { class: "sr-only", text: "Actions" }) : t)))),
        h("tbody", {}, versions.map((v) => {
          const number = v.version ?? v.number ?? v.id;
          const current = v.current ?? v.is_current ?? false;
          return h("tr", { dataset: { version: number } },
            h("td", { text: `${number}${current ? " (current)" : ""}` }),
            h("td", { text: v.original_filename || v.filename || "" }),
            h("td", { text: formatBytes(v.size) }),
            h("td", { class: "small", text: `${formatDate(v.created_at)}${v.created_by || v.uploaded_by ? ` · ${v.created_by || v.uploaded_by}` : ""}` }),
            h("td", {}, !current && can.edit ? h("button", { type: "button", class: "btn btn-small", "data-restore": number, onclick: () => restore(number) }, "Restore") : null),
          );
        })),
      ),
    );
  } catch (err) {
    box.replaceChildren(h("p", { class: "muted", text: err.status === 404 ? "File versions are not available on this server." : errorMessages(err).join(" ") }));
  }
}

async function restore(number) {
  const yes = await confirmDialog({ title: `Restore version ${number}?`, body: "Its file becomes the current file again; renditions are made again and published answers follow.", ok: "Restore" });
  if (!yes) return;
  try {
    const { data } = await api.post(itemPath(`versions/${number}/restore`));
    item = data && data.id ? data : await api.get(itemPath());
    render();
    loadVersions();
    ok(`Version ${number} restored.`);
  } catch (err) {
    fail(err);
  }
}

async function replaceFile(file) {
  const form = new FormData();
  form.append("file", file);
  try {
    const { data } = await request("PUT", itemPath("file"), { form });
    item = data && data.id ? data : await api.get(itemPath());
    render();
    loadVersions();
    ok(`The file was replaced with ${file.name}; the item keeps its id and assignments.`);
  } catch (err) {
    fail(err);
  }
}

function render() {
  // The focal point picker is rebuilt: a keyboard user moving the point keeps the focus on it.
  const onFocal = document.activeElement && document.activeElement.id === "focal-stage";
  renderHead();
  renderPreview();
  if (onFocal) focusFirst("#focal-stage");
  renderRenditions();
  renderForm();
  renderFacts();
}

async function save(e) {
  e.preventDefault();
  hideAlert(errorBox);
  const body = {
    title: $("#f-title").value,
    alt_text: $("#f-alt").value,
    caption: $("#f-caption").value,
    description: $("#f-description").value,
    display_name: $("#f-display-name").value,
    tags: $("#f-tags").value.split(",").map((t) => t.trim()).filter(Boolean),
  };
  if ("expires_at" in item) {
    body.available_from = fromLocalInput($("#f-available-from").value);
    body.expires_at = fromLocalInput($("#f-expires-at").value);
    body.usage_rights = $("#f-usage-rights").value;
  }
  const button = $("#meta-save");
  button.disabled = true;
  $("#meta-state").textContent = "Saving…";
  try {
    const { data } = await request("PATCH", itemPath(), { body });
    item = data;
    render();
    $("#meta-state").textContent = "Saved.";
  } catch (err) {
    $("#meta-state").textContent = "";
    fail(err);
  } finally {
    button.disabled = false;
    // Save details disabled itself while saving, which dropped the focus to the page.
    if (focusLost()) button.focus();
  }
}

async function publish() {
  hideAlert(errorBox);
  try {
    const { data } = await api.post(itemPath("publish"));
    item = data;
    render();
    ok("Published: the item has its public URL.");
  } catch (err) {
    fail(err);
  }
}

async function unpublish(force = false) {
  hideAlert(errorBox);
  try {
    const { data } = await api.post(itemPath("unpublish"), { force });
    item = data;
    render();
    ok("Back to draft: the public URL no longer answers.");
  } catch (err) {
    if (err instanceof ApiError && err.status === 409 && !force) {
      const where = (err.body.used_by || []).slice(0, 20);
      const yes = await confirmDialog({
        title: "Shown by published content",
        body: [err.message, h("ul", {}, where.map((w) => h("li", { text: usageText(w) }))), "Unpublish anyway? Those shop answers drop it at once."],
        ok: "Unpublish anyway",
        danger: true,
      });
      if (yes) return unpublish(true);
      return;
    }
    fail(err);
  }
}

async function remove() {
  const yes = await confirmDialog({ title: "Delete this item?", body: "Its file and renditions are removed. Items that current content uses cannot be deleted.", ok: "Delete", danger: true });
  if (!yes) return;
  try {
    await request("DELETE", itemPath());
    window.location.href = config.library_url;
  } catch (err) {
    const lines = errorMessages(err);
    for (const u of (err.body && err.body.used_by) || []) lines.push(usageText(u));
    showAlert(errorBox, lines);
  }
}

async function init() {
  try {
    item = await api.get(itemPath());
  } catch (err) {
    fail(err);
    return;
  }
  render();
  loadUsage();
  loadVersions();
  $("#meta-form").addEventListener("submit", save);
  if ($("#item-publish")) $("#item-publish").addEventListener("click", publish);
  if ($("#item-unpublish")) $("#item-unpublish").addEventListener("click", () => unpublish(false));
  if ($("#item-delete")) $("#item-delete").addEventListener("click", remove);
  const replace = $("#item-replace");
  if (replace)
    replace.addEventListener("change", () => {
      if (replace.files[0]) replaceFile(replace.files[0]);
      replace.value = "";
    });
}

init();
