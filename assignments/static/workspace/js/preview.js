// Preview: the gallery of the master, switched by dimension dropdowns to a combination's
// or a variant's gallery (from the checked-in draft) as the shop presents it (videos play,
// documents open, additional media by purpose, swatches; the default image is the one the
// server resolved, R11), and the coverage matrix
// (variants × channels × locales) as a coloured grid: own, inherited from where, nothing.
import { api, config, errorMessages } from "./api.js";
import { $, focusFirst, h, showAlert } from "./dom.js";
import { galleryUrl, mediaLabel, remember, thumbUrl } from "./media.js";
import { contextQuery, isHolder } from "./document.js";
import { swatchPreview } from "./slots.js";
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

const KIND_LABEL = { image: "Image", video: "Video", document: "Document", other: "File" };
const purposeName = (code) => (config.purposes.find((p) => p.code === code) || { name: code }).name || code;

// One item as the shop would present it: an image, a playable video (its poster from the
// renditions), a document to open. What is default is the server's `default_image`.
function stageFor(item) {
  const label = mediaLabel(item, item.id);
  if (item.kind === "video") {
    const poster = (item.renditions || {}).gallery || (item.renditions || {}).thumb;
    return h("video", { class: "gallery-main", controls: true, preload: "metadata", src: item.url, poster, "aria-label": `Video: ${label}`, dataset: { media: item.id, kind: "video" } });
  }
  if (item.kind === "image") return h("img", { class: "gallery-main", alt: item.alt_text || "", src: galleryUrl(item), dataset: { media: item.id, kind: "image" } });
  return documentCard(item, "gallery-main gallery-doc");
}

function documentCard(item, cls = "doc-card") {
  const label = mediaLabel(item, item.id);
  return h("div", { class: cls, dataset: { media: item.id, kind: item.kind } },
    h("span", { class: "doc-kind", text: `${KIND_LABEL[item.kind] || item.kind}${item.mime_type ? ` · ${item.mime_type}` : ""}` }),
    h("strong", { class: "doc-title", text: label }),
    item.url ? h("a", { href: item.url, target: "_blank", rel: "noopener", text: `Open ${label}` }) : null);
}

function thumbFor(item, isDefault) {
  const src = thumbUrl(item) || (item.renditions || {}).thumb;
  return h("span", { class: "gallery-thumb-inner" },
    src ? h("img", { src, alt: "" }) : h("span", { class: "thumb-kind", text: KIND_LABEL[item.kind] || item.kind }),
    item.kind === "video" ? h("span", { class: "thumb-play", "aria-hidden": "true", text: "▶" }) : null,
    isDefault ? h("span", { class: "sr-only", text: " (default image)" }) : null);
}

function galleryBlock(data, ids) {
  const items = ids.map((id) => ({ id, ...(data.media[id] || {}) }));
  let main = stageFor(items[0]);
  const stage = h("div", { class: "gallery-stage" }, main);
  const strip = h("div", { class: "gallery-strip" });
  items.forEach((item, i) => {
    const isDefault = item.id === data.default_image;
    const kind = KIND_LABEL[item.kind] || item.kind;
    strip.append(h("div", { class: "gallery-cell" },
      h("button", { type: "button", class: `gallery-thumb${i === 0 ? " active" : ""}`, "aria-label": `Show ${kind.toLowerCase()} ${mediaLabel(item, item.id)}`, "aria-pressed": String(i === 0), dataset: { media: item.id, kind: item.kind }, onclick: (e) => {
        const next = stageFor(item);
        main.replaceWith(next);
        main = next;
        for (const b of strip.querySelectorAll(".gallery-thumb")) {
          b.classList.toggle("active", b === e.currentTarget);
          b.setAttribute("aria-pressed", String(b === e.currentTarget));
        }
      } }, thumbFor(item, isDefault)),
      isDefault ? h("span", { class: "badge badge-soft default-badge", text: "Default image" }) : null));
  });
  return [stage, strip];
}

function additionalBlock(data) {
  const purposes = Object.entries(data.additional || {});
  if (!purposes.length) return null;
  return h("section", { class: "preview-section", "aria-label": "Additional media" },
    h("h3", { text: "Additional media" }),
    purposes.map(([purpose, ids]) => h("div", { class: "preview-purpose", dataset: { purpose } },
      h("h4", { text: purposeName(purpose) }),
      h("div", { class: "doc-cards" }, ids.map((id) => {
        const item = { id, ...(data.media[id] || {}) };
        return item.kind === "image" ? h("figure", { class: "doc-card", dataset: { media: id, kind: "image" } }, h("img", { src: thumbUrl(item) || galleryUrl(item), alt: item.alt_text || "" }), h("figcaption", { text: mediaLabel(item, id) })) : documentCard(item);
      })))));
}

function swatchesBlock(data) {
  if (!data.swatches || !data.swatches.length) return null;
  return h("section", { class: "preview-section", "aria-label": "Swatches" },
    h("h3", { text: "Swatches" }),
    h("ul", { class: "preview-swatches" }, data.swatches.map((s) => h("li", { dataset: { swatch: `${s.dimension}:${s.value}` } }, swatchPreview(s), h("span", { class: "small", text: `${s.dimension}: ${s.value}` })))));
}

async function loadGallery() {
  const mine = ++seq;
  const chosen = selection();
  try {
    const data = await api.get(`products/${encodeURIComponent(state.entity.number)}/media/preview`, { ...contextQuery(), ...chosen });
    if (mine !== seq) return;
    for (const [id, item] of Object.entries(data.media || {})) remember({ ...item, id: Number(id) });
    const target = data.variant ? `Variant ${data.variant}` : Object.keys(chosen).length ? "This selection" : "Master";
    const prov = data.provenance || {};
    provenance.replaceChildren(h("strong", { text: target }), ` · primary media from ${describe(prov.primary)}`);
    gallery.replaceChildren();
    if (!data.primary.length) gallery.append(h("p", { class: "empty", text: "No primary media: nothing would show here after publishing." }));
    else gallery.append(...galleryBlock(data, data.primary));
    gallery.append(...[additionalBlock(data), swatchesBlock(data)].filter(Boolean));
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
