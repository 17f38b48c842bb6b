// Version history of the document (R12): who checked in what and when (the summaries are
// the server's), two versions side by side, and restoring one as a new working copy.
import { api, config, errorMessages } from "./api.js";
import { contextQuery, heldByOther, restoreVersion } from "./document.js";
import { closeDialog, formatDate, h, hideAlert, openDialog, showAlert } from "./dom.js";
import { mediaLabel, mediaThumb, remember } from "./media.js";
import { swatchPreview } from "./slots.js";
import { state } from "./store.js";

let dialog = null;
let versions = [];

const docPath = () => `products/${encodeURIComponent(state.entity.number)}/media`;
const $in = (selector) => dialog.querySelector(selector);

function build() {
  dialog = h("dialog", { class: "dialog dialog-wide", id: "versions-dialog", "aria-labelledby": "versions-title" },
    h("div", { class: "dialog-inner" },
      h("header", { class: "dialog-head" }, h("h2", { id: "versions-title", text: "Version history" })),
      h("div", { class: "alert", id: "versions-error", role: "alert", hidden: true }),
      h("div", { class: "versions-table-wrap", id: "versions-list" }),
      h("div", { class: "versions-compare", id: "versions-compare", hidden: true }),
      h("footer", { class: "dialog-foot" },
        h("span", { class: "muted small", id: "versions-hint", text: "Choose two versions to compare them." }),
        h("button", { type: "button", class: "btn", id: "versions-compare-btn", disabled: true, onclick: compare }, "Compare selected"),
        h("button", { type: "button", class: "btn btn-primary", id: "versions-close", onclick: () => closeDialog(dialog) }, "Close"))));
  document.body.append(dialog);
}

function chosen() {
  return [...dialog.querySelectorAll("input[name=version-pick]:checked")].map((i) => Number(i.value)).sort((a, b) => a - b);
}

function syncPick() {
  const picked = chosen();
  $in("#versions-compare-btn").disabled = picked.length !== 2;
  $in("#versions-hint").textContent = picked.length === 2 ? `Compare v${picked[0]} with v${picked[1]}.` : "Choose two versions to compare them.";
}

function renderList() {
  const canRestore = config.can.edit && !heldByOther();
  if (!versions.length) {
    $in("#versions-list").replaceChildren(h("p", { class: "empty", text: "No checked-in versions yet: Finish editing creates the first." }));
    return;
  }
  const table = h("table", { class: "table versions-table" },
    h("caption", { class: "sr-only", text: "Checked-in versions, newest first" }),
    h("thead", {}, h("tr", {}, h("th", { text: "Compare" }), h("th", { text: "Version" }), h("th", { text: "Who" }), h("th", { text: "When" }), h("th", { text: "Change" }), h("th", {}, h("span", { class: "sr-only", text: "Actions" })))),
    h("tbody", {}, versions.map((v) => h("tr", { dataset: { version: v.number } },
      h("td", {}, h("input", { type: "checkbox", name: "version-pick", value: v.number, "aria-label": `Compare version ${v.number}`, onchange: syncPick })),
      h("th", { scope: "row" }, `v${v.number} `, v.is_draft ? h("span", { class: "badge badge-draft", text: "Draft" }) : null, " ", v.is_published ? h("span", { class: "badge badge-published", text: "Published" }) : null),
      h("td", { text: v.created_by || "system" }),
      h("td", { text: formatDate(v.created_at) }),
      h("td", { class: "version-summary", text: v.summary }),
      h("td", {}, canRestore ? h("button", { type: "button", class: "btn btn-small", "aria-label": `Restore version ${v.number}`, onclick: () => restore(v.number) }, "Restore") : null)))));
  $in("#versions-list").replaceChildren(table);
  syncPick();
}

function slotsCell(slots, media) {
  if (!slots) return h("td", { class: "muted small", text: "—" });
  const item = (id) => media[id] || { id };
  return h("td", {},
    slots.primary.length ? h("div", { class: "compare-strip", "aria-label": "Primary media" }, slots.primary.map((id) => mediaThumb(item(id), { size: "sm" }))) : null,
    slots.additional.length ? h("ul", { class: "small compare-additional" }, slots.additional.map((a) => h("li", { text: `${mediaLabel(item(a.media), a.media)} (${a.purpose})` }))) : null,
    slots.swatches.length ? h("div", { class: "compare-strip", "aria-label": "Swatches" }, slots.swatches.map((s) => swatchPreview(s))) : null);
}

async function compare() {
  const [a, b] = chosen();
  hideAlert($in("#versions-error"));
  try {
    const data = await api.get(`${docPath()}/versions/compare`, { ...contextQuery(), a, b });
    for (const [id, item] of Object.entries(data.media || {})) remember({ ...item, id: Number(id) });
    const side = (v) => h("th", { scope: "col" }, `v${v.number}`, h("div", { class: "muted small", text: `${v.created_by || "system"} · ${formatDate(v.created_at)}` }), v.matrix.length ? h("div", { class: "small", text: `Matrix: ${v.matrix.join(" × ")}` }) : null);
    const table = h("table", { class: "table compare-table" },
      h("caption", { text: data.summary }),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Scope" }), side(data.a), side(data.b), h("th", { scope: "col", text: "Changes" }))),
      h("tbody", {}, data.scopes.map((row) => h("tr", { class: row.changes.length ? "changed" : "", dataset: { scope: row.key } },
        h("th", { scope: "row", text: row.label }),
        slotsCell(row.a, data.media),
        slotsCell(row.b, data.media),
        h("td", { class: "small", text: row.changes.join(", ") || "unchanged" })))));
    const pane = $in("#versions-compare");
    pane.replaceChildren(h("h3", { text: `Version ${a} and version ${b} side by side` }), table);
    pane.hidden = false;
  } catch (err) {
    showAlert($in("#versions-error"), errorMessages(err));
  }
}

async function restore(number) {
  if (await restoreVersion(number)) closeDialog(dialog);
  else showAlert($in("#versions-error"), state.error || ["The version could not be restored."]);
}

export async function openVersions() {
  if (!dialog) build();
  hideAlert($in("#versions-error"));
  $in("#versions-compare").hidden = true;
  $in("#versions-title").textContent = `Version history of ${state.entity.number} in ${state.channel} / ${state.locale}`;
  $in("#versions-list").replaceChildren(h("p", { class: "muted", text: "Loading versions…" }));
  openDialog(dialog);
  try {
    versions = await api.get(`${docPath()}/versions`, contextQuery());
    renderList();
  } catch (err) {
    showAlert($in("#versions-error"), errorMessages(err));
  }
  $in("#versions-close").focus();
}
