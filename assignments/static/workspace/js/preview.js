// Preview: the gallery of the master, switched by dimension dropdowns to a combination's
// or a variant's gallery (from the checked-in draft), and the coverage matrix
// (variants × channels × locales) as a coloured grid: own, inherited from where, nothing.
import { api, errorMessages } from "./api.js";
import { $, focusFirst, h, showAlert } from "./dom.js";
import { galleryUrl, mediaLabel, remember, thumbUrl } from "./media.js";
import { contextQuery, isHolder } from "./document.js";
import { emit, state } from "./store.js";

const panel = $("#preview-panel");
const selectors = $("#preview-selectors");
const gallery = $("#preview-gallery");
const provenance = $("#preview-provenance");
const grid = $("#coverage-grid");
const slotSelect = $("#coverage-slot");
let coverage = null;
let seq = 0;

function describe(level) {
  if (!level) return "nothing";
  const where = `${level.channel} / ${level.locale}`;
  if (level.scope === "master") return `master (${where})`;
  if (level.scope === "variant") return `variant ${level.variant || ""} (${where})`;
  const values = Object.entries(level.values || {}).map(([d, v]) => `${d} ${v}`).join(", ");
  return `dimension ${values} (${where})`;
}

function selection() {
  const chosen = {};
  for (const select of selectors.querySelectorAll("select")) if (select.value) chosen[select.name] = select.value;
  return chosen;
}

async function loadGallery() {
  const mine = ++seq;
  const chosen = selection();
  try {
    const data = await api.get(`products/${encodeURIComponent(state.entity.number)}/media/preview`, { ...contextQuery(), ...chosen });
    if (mine !== seq) return;
    for (const [id, item] of Object.entries(data.media || {})) remember({ ...item, id: Number(id) });
    const target = data.variant ? `Variant ${data.variant}` : Object.keys(chosen).length ? "This selection" : "Master";
    provenance.replaceChildren(h("strong", { text: target }), ` · primary media from ${describe(data.provenance && data.provenance.primary)}`);
    gallery.replaceChildren();
    if (!data.primary.length) {
      gallery.append(h("p", { class: "empty", text: "No primary media: nothing would show here after publishing." }));
      return;
    }
    const items = data.primary.map((id) => ({ id, ...(data.media[id] || {}) }));
    const main = h("img", { class: "gallery-main", alt: items[0].alt_text || "", src: galleryUrl(items[0]) });
    const strip = h("div", { class: "gallery-strip" });
    items.forEach((item, i) => {
      const src = thumbUrl(item) || galleryUrl(item);
      strip.append(h("button", { type: "button", class: `gallery-thumb${i === 0 ? " active" : ""}`, "aria-label": `Show ${mediaLabel(item, item.id)}`, dataset: { media: item.id }, onclick: (e) => {
        main.src = galleryUrl(item);
        main.alt = item.alt_text || "";
        for (const b of strip.children) b.classList.toggle("active", b === e.currentTarget);
      } }, src ? h("img", { src, alt: "" }) : h("span", { class: "thumb-kind", text: item.kind })));
    });
    gallery.append(main, strip);
  } catch (err) {
    if (mine === seq) showAlert($("#product-error"), errorMessages(err));
  }
}

function renderCoverage() {
  if (!coverage) return;
  const slot = slotSelect.value;
  const contexts = [];
  const seen = new Set();
  const variants = [];
  for (const row of coverage.rows) {
    const key = `${row.channel}/${row.locale}`;
    if (!seen.has(key)) {
      seen.add(key);
      contexts.push(key);
    }
    if (!variants.includes(row.variant)) variants.push(row.variant);
  }
  const byKey = new Map(coverage.rows.map((r) => [`${r.variant}|${r.channel}/${r.locale}`, r]));
  const channels = [...new Set(contexts.map((c) => c.split("/")[0]))];
  const table = h("table", { class: "coverage-table" },
    h("thead", {},
      h("tr", {}, h("th", { rowspan: 2, text: "Variant" }), channels.map((c) => h("th", { colspan: contexts.filter((k) => k.startsWith(`${c}/`)).length, class: "ch", text: c }))),
      h("tr", {}, contexts.map((k) => h("th", { class: "loc", text: k.split("/")[1] })))));
  const body = h("tbody");
  for (const variant of variants) {
    const tr = h("tr", {}, h("th", { scope: "row", class: "mono", text: variant || state.entity.number }));
    for (const key of contexts) {
      const row = byKey.get(`${variant}|${key}`);
      const value = row ? row.slots[slot] : "none";
      const kind = value === "own" ? "own" : value === "none" || !value ? "none" : "inherited";
      const text = kind === "own" ? "own media" : kind === "none" ? "nothing" : `inherited from ${describe(value)}`;
      tr.append(h("td", { class: `cov cov-${kind}`, title: `${variant || state.entity.number} in ${key}: ${text}`, "aria-label": `${key}: ${text}` }, kind === "own" ? "●" : kind === "inherited" ? "↑" : ""));
    }
    body.append(tr);
  }
  table.append(body);
  grid.replaceChildren(table);
}

async function loadCoverage() {
  grid.replaceChildren(h("p", { class: "muted", text: "Loading coverage…" }));
  try {
    coverage = await api.get(`products/${encodeURIComponent(state.entity.number)}/media/coverage`);
    renderCoverage();
  } catch (err) {
    grid.replaceChildren();
    showAlert($("#product-error"), errorMessages(err));
  }
}

export function openPreview() {
  state.previewing = true;
  emit();
  panel.hidden = false;
  $("#preview-note").textContent = isHolder()
    ? "The gallery each variant gets from the checked-in draft, as it would be after publishing. Your unfinished edits show once you Finish editing."
    : "The gallery each variant gets from the checked-in draft, as it would be after publishing.";
  const dims = state.product.dimensions || {};
  selectors.replaceChildren(
    ...Object.entries(dims).map(([dim, values]) =>
      h("label", {}, dim, h("select", { name: dim, onchange: loadGallery }, h("option", { value: "" }, "Any"), values.map((v) => h("option", { value: v }, v)))),
    ),
  );
  loadGallery();
  loadCoverage();
  $("#preview-close").focus();
}

export function closePreview() {
  state.previewing = false;
  panel.hidden = true;
  coverage = null;
  emit();
}

// Closed by its button or Esc (when no dialog is over it), the focus goes back to Preview.
function closeByUser() {
  closePreview();
  focusFirst('[data-action="preview"]');
}

slotSelect.addEventListener("change", renderCoverage);
$("#preview-close").addEventListener("click", closeByUser);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && state.previewing && !document.querySelector("dialog[open]")) {
    event.preventDefault();
    closeByUser();
  }
});
