// The assignment view of one scope (master, a dimension combination or a variant):
// Primary media (ordered: drag and drop or arrows; remove), Additional media with a
// purpose, and Swatches. Every change goes through document.edit().
// A slot without own entries shows what it inherits, read-only, with where it comes from
// and "Override here"; the default image and every source are the server's (the document's
// `effective`, resolved by the same function as the shop answer).
import { config, fieldReason } from "./api.js";
import { emptySlots, hasMedia, slotsOf } from "./content.js";
import { checkout, edit, editable, effectiveOf, heldByOther, isHolder, shownContent } from "./document.js";
import { h, icon } from "./dom.js";
import { mediaGet, mediaLabel, mediaThumb, galleryUrl } from "./media.js";
import { openPicker } from "./picker.js";
import { openPurposes } from "./purposes.js";
import { openSwatchEditor } from "./swatch.js";
import { state } from "./store.js";

const sameList = (a, b) => JSON.stringify(a || []) === JSON.stringify(b || []);
const additionalList = (eff) => Object.entries(eff.additional || {}).flatMap(([purpose, ids]) => ids.map((media) => ({ media, purpose })));

// What a slot inherits when the scope has no entries of its own (R9: any own entry severs
// inheritance; swatches still come from the product page's nearest level, R24).
function isItself(source, scope) {
  if (source.channel !== state.channel || source.locale !== state.locale || source.scope !== scope.kind) return false;
  if (scope.kind === "variant") return source.variant === scope.variant;
  if (scope.kind === "dimension") return JSON.stringify(Object.entries(source.values || {}).sort()) === JSON.stringify(Object.entries(scope.values).sort());
  return true;
}

function inheritedOf(scope, slots, slot) {
  const eff = effectiveOf(scope);
  if (!eff || !eff.provenance[slot]) return null;
  if (slot === "swatches" ? slots.swatches.length > 0 : hasMedia(slots)) return null;
  // An edit not yet answered by the server: its own old entries are not "inherited".
  if (isItself(eff.provenance[slot], scope)) return null;
  const items = slot === "primary" ? eff.primary : slot === "additional" ? additionalList(eff) : eff.swatches;
  return items.length ? { eff, items, source: eff.provenance[slot] } : null;
}

// "Override here": a context that inherits is checked out (the server copies the inherited
// content as the first working copy, R12); a scope that inherits inside the document gets
// a copy of what it shows as its own entries.
export async function overrideHere(scope) {
  if (!isHolder()) {
    if (!(await checkout())) return false;
  }
  const slots = slotsOf(shownContent(), scope) || emptySlots();
  const eff = effectiveOf(scope);
  if (hasMedia(slots) || !eff || !(eff.primary.length || Object.keys(eff.additional || {}).length)) return true;
  return edit((c) => {
    const target = slotsOf(c, scope, { create: true });
    target.primary = [...eff.primary];
    target.additional = additionalList(eff);
  });
}

const canOverride = () => config.can.edit && !heldByOther();

function inheritBanner(scope, slots) {
  const eff = effectiveOf(scope);
  if (!eff || hasMedia(slots)) return null;
  const source = eff.provenance.primary || eff.provenance.additional;
  if (!source || isItself(source, scope)) return null;
  const what = scope.kind === "master" ? "This context" : scope.kind === "variant" ? `Variant ${scope.variant}` : "This combination";
  return h("div", { class: "inherit-banner", role: "note", dataset: { inherits: source.label } },
    h("span", {}, `${what} has no media of its own: it shows the media inherited `, h("strong", { text: source.label }), "."),
    canOverride() ? h("button", { type: "button", class: "btn btn-primary", "data-override": "", "data-focus-key": "override", "data-focus-alt": "add-primary", onclick: () => overrideHere(scope) }, "Override here") : null);
}

function inheritedBlock(inherited, render) {
  return h("div", { class: "inherited-block", dataset: { source: inherited.source.label } },
    h("p", { class: "inherited-source small" }, h("span", { class: "badge badge-inherited", text: "Inherited" }), ` ${inherited.source.label}`),
    render(inherited.items, inherited.eff));
}

function scopePath(content, scope) {
  if (scope.kind === "master") return "master";
  if (scope.kind === "dimension") {
    const i = content.dimensions.findIndex(
      (r) => JSON.stringify(Object.entries(r.values).sort()) === JSON.stringify(Object.entries(scope.values).sort()),
    );
    return i < 0 ? null : `dimensions[${i}]`;
  }
  const i = content.variants.findIndex((r) => r.variant === scope.variant);
  return i < 0 ? null : `variants[${i}]`;
}

function slotErrors(content, scope, slot) {
  const path = scopePath(content, scope);
  if (!path) return null;
  const prefix = `${path}.${slot}`;
  const found = state.fieldErrors.filter((e) => e.field && (e.field === prefix || e.field.startsWith(`${prefix}[`) || e.field.startsWith(`${prefix}.`)));
  if (!found.length) return null;
  return h("div", { class: "alert alert-error slot-error", role: "alert" }, found.map((e) => h("div", { text: fieldReason(e.field, e.reason) })));
}

const move = (list, from, to) => {
  const [item] = list.splice(from, 1);
  list.splice(to, 0, item);
};

export function renderSlots(scope) {
  const content = shownContent();
  const slots = slotsOf(content, scope) || emptySlots();
  const can = editable();
  const wrap = h("div", { class: "slots", dataset: { scope: scope.kind } });
  const banner = inheritBanner(scope, slots);
  if (banner) wrap.append(banner);
  wrap.append(primarySection(content, scope, slots, can));
  wrap.append(additionalSection(content, scope, slots, can));
  if (state.product && Object.keys(state.product.dimensions || {}).length) wrap.append(swatchSection(content, scope, slots, can));
  return wrap;
}

function slotHead(title, hint, button) {
  return h("div", { class: "slot-head" }, h("div", {}, h("h2", { text: title }), hint ? h("p", { class: "muted small", text: hint }) : null), button);
}

function primarySection(content, scope, slots, can) {
  const add = can
    ? h("button", {
        type: "button",
        class: "btn btn-primary",
        "data-add": "primary",
        "data-focus-key": "add-primary",
        onclick: async () => {
          const ids = await openPicker({ multiple: true, assigned: slots.primary });
          if (ids && ids.length)
            edit((c) => {
              const target = slotsOf(c, scope, { create: true }).primary;
              for (const id of ids) if (!target.includes(id)) target.push(id);
            });
        },
      }, "Add media")
    : null;
  const section = h("section", { class: "slot", "aria-label": "Primary media" }, slotHead("Primary media", "The gallery, in this order; the first image is the default image.", add));
  const err = slotErrors(content, scope, "primary");
  if (err) section.append(err);
  const inherited = inheritedOf(scope, slots, "primary");
  if (inherited) {
    section.append(inheritedBlock(inherited, (ids, eff) => h("ol", { class: "media-list media-list-inherited", "data-slot": "primary-inherited" },
      ids.map((id, index) => {
        const item = mediaGet(id);
        return h("li", { class: "media-row", dataset: { media: id } },
          h("span", { class: "pos" }, String(index + 1)),
          mediaThumb(item, { size: "sm" }),
          h("span", { class: "media-meta" }, h("span", { class: "media-title", text: mediaLabel(item, id) }), h("span", { class: "muted small", text: item ? `${item.kind} · ${item.status}` : "" })),
          id === eff.default_image ? h("span", { class: "badge badge-soft", text: "Default image" }) : null);
      }))));
    return section;
  }
  if (!slots.primary.length) {
    section.append(h("p", { class: "empty", text: can ? "No primary media yet. Use Add media." : "No primary media here." }));
    return section;
  }
  // The server's default image (R11) for the list it holds; none while an edit is unsaved.
  const eff = effectiveOf(scope);
  const defaultImage = eff && sameList(eff.primary, slots.primary) ? eff.default_image : null;
  const list = h("ol", { class: "media-list", "data-slot": "primary" });
  slots.primary.forEach((id, index) => {
    const item = mediaGet(id);
    const li = h("li", { class: "media-row", dataset: { media: id, index }, draggable: can ? "true" : false },
      can ? h("span", { class: "grip", "aria-hidden": "true", title: "Drag to reorder" }, "⋮⋮") : null,
      h("span", { class: "pos" }, String(index + 1)),
      mediaThumb(item, { size: "sm" }),
      h("span", { class: "media-meta" }, h("span", { class: "media-title", text: mediaLabel(item, id) }), h("span", { class: "muted small", text: item ? `${item.kind} · ${item.status}` : "" })),
      id === defaultImage ? h("span", { class: "badge badge-soft", text: "Default image" }) : null,
    );
    if (can) {
      const edits = (fn) => () => edit((c) => fn(slotsOf(c, scope, { create: true }).primary));
      li.append(h("span", { class: "row-actions" },
        h("button", { type: "button", class: "icon-btn", title: "Move up", "aria-label": `Move ${mediaLabel(item, id)} up`, "data-focus-alt": `Move ${mediaLabel(item, id)} down`, disabled: index === 0, onclick: edits((l) => move(l, index, index - 1)) }, "↑"),
        h("button", { type: "button", class: "icon-btn", title: "Move down", "aria-label": `Move ${mediaLabel(item, id)} down`, "data-focus-alt": `Move ${mediaLabel(item, id)} up`, disabled: index === slots.primary.length - 1, onclick: edits((l) => move(l, index, index + 1)) }, "↓"),
        h("button", { type: "button", class: "icon-btn danger", title: "Remove", "aria-label": `Remove ${mediaLabel(item, id)}`, "data-focus-alt": "add-primary", onclick: edits((l) => l.splice(index, 1)) }, icon("trash")),
      ));
      dragAndDrop(li, index, (from, to) => edit((c) => move(slotsOf(c, scope, { create: true }).primary, from, to)));
    }
    list.append(li);
  });
  section.append(list);
  return section;
}

// HTML5 drag and drop between rows of one list.
function dragAndDrop(li, index, onMove) {
  li.addEventListener("dragstart", (event) => {
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", String(index));
    li.classList.add("dragging");
  });
  li.addEventListener("dragend", () => li.classList.remove("dragging"));
  li.addEventListener("dragover", (event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    li.classList.add("drop-target");
  });
  li.addEventListener("dragleave", () => li.classList.remove("drop-target"));
  li.addEventListener("drop", (event) => {
    event.preventDefault();
    li.classList.remove("drop-target");
    const from = Number(event.dataTransfer.getData("text/plain"));
    if (!Number.isNaN(from) && from !== index) onMove(from, index);
  });
}

function additionalSection(content, scope, slots, can) {
  const purposes = config.purposes;
  const add = can
    ? h("button", {
        type: "button",
        class: "btn",
        "data-add": "additional",
        "data-focus-key": "add-additional",
        onclick: async () => {
          const ids = await openPicker({ multiple: true, assigned: slots.additional.map((e) => e.media) });
          if (ids && ids.length)
            edit((c) => {
              const target = slotsOf(c, scope, { create: true }).additional;
              for (const id of ids) target.push({ media: id, purpose: purposes[0] ? purposes[0].code : "" });
            });
        },
      }, "Add media")
    : null;
  const manage = config.can.manage_purposes ? h("button", { type: "button", class: "btn btn-small", "data-manage-purposes": "", onclick: () => openPurposes() }, "Manage purposes") : null;
  const buttons = add || manage ? h("div", { class: "slot-buttons" }, manage, add) : null;
  const section = h("section", { class: "slot", "aria-label": "Additional media" }, slotHead("Additional media", "Manuals, specification sheets, media kits… each with its purpose.", buttons));
  const err = slotErrors(content, scope, "additional");
  if (err) section.append(err);
  const inherited = inheritedOf(scope, slots, "additional");
  if (inherited) {
    section.append(inheritedBlock(inherited, (entries) => h("ul", { class: "media-list media-list-inherited", "data-slot": "additional-inherited" },
      entries.map((entry) => {
        const item = mediaGet(entry.media);
        return h("li", { class: "media-row", dataset: { media: entry.media } },
          mediaThumb(item, { size: "sm" }),
          h("span", { class: "media-meta" }, h("span", { class: "media-title", text: mediaLabel(item, entry.media) }), h("span", { class: "muted small", text: item ? item.kind : "" })),
          h("span", { class: "badge badge-soft", text: (purposes.find((p) => p.code === entry.purpose) || { name: entry.purpose }).name }));
      }))));
    return section;
  }
  if (!slots.additional.length) {
    section.append(h("p", { class: "empty", text: "No additional media." }));
    return section;
  }
  const list = h("ul", { class: "media-list", "data-slot": "additional" });
  slots.additional.forEach((entry, index) => {
    const item = mediaGet(entry.media);
    const purpose = can
      ? h("select", { "aria-label": `Purpose of ${mediaLabel(item, entry.media)}`, onchange: (e) => edit((c) => { slotsOf(c, scope, { create: true }).additional[index].purpose = e.target.value; }) },
          purposes.map((p) => h("option", { value: p.code, selected: p.code === entry.purpose }, p.name || p.code)))
      : h("span", { class: "badge badge-soft", text: (purposes.find((p) => p.code === entry.purpose) || { name: entry.purpose }).name });
    list.append(h("li", { class: "media-row" },
      mediaThumb(item, { size: "sm" }),
      h("span", { class: "media-meta" }, h("span", { class: "media-title", text: mediaLabel(item, entry.media) }), h("span", { class: "muted small", text: item ? item.kind : "" })),
      h("label", { class: "purpose" }, h("span", { class: "small muted", text: "Purpose " }), purpose),
      can ? h("span", { class: "row-actions" }, h("button", { type: "button", class: "icon-btn danger", title: "Remove", "aria-label": `Remove ${mediaLabel(item, entry.media)}`, "data-focus-alt": "add-additional", onclick: () => edit((c) => slotsOf(c, scope, { create: true }).additional.splice(index, 1)) }, icon("trash"))) : null,
    ));
  });
  section.append(list);
  return section;
}

export function swatchPreview(swatch) {
  if (swatch.hex) return h("span", { class: "swatch-chip", style: `background:${swatch.hex}`, title: swatch.hex });
  const item = mediaGet(swatch.media);
  const chip = h("span", { class: "swatch-chip", title: mediaLabel(item, swatch.media) });
  const url = galleryUrl(item);
  if (url) {
    chip.style.backgroundImage = `url("${url}")`;
    if (swatch.crop && item && item.width && item.height) {
      // Scale the image so the crop rectangle fills the chip.
      const size = 32;
      const sx = size / swatch.crop.width;
      const sy = size / swatch.crop.height;
      chip.style.backgroundSize = `${item.width * sx}px ${item.height * sy}px`;
      chip.style.backgroundPosition = `${-swatch.crop.x * sx}px ${-swatch.crop.y * sy}px`;
    } else {
      chip.style.backgroundSize = "cover";
    }
  }
  return chip;
}

function swatchSection(content, scope, slots, can) {
  const add = can
    ? h("button", {
        type: "button",
        class: "btn",
        "data-add": "swatch",
        "data-focus-key": "add-swatch",
        onclick: async () => {
          const swatch = await openSwatchEditor({ dimensions: state.product.dimensions, taken: slots.swatches });
          if (swatch) edit((c) => slotsOf(c, scope, { create: true }).swatches.push(swatch));
        },
      }, "Add swatch")
    : null;
  const section = h("section", { class: "slot", "aria-label": "Swatches" }, slotHead("Swatches", "Product-specific swatches: a colour or a (cropped) image per dimension value.", add));
  const err = slotErrors(content, scope, "swatches");
  if (err) section.append(err);
  const inherited = inheritedOf(scope, slots, "swatches");
  if (inherited) {
    section.append(inheritedBlock(inherited, (swatches) => h("ul", { class: "preview-swatches", "data-slot": "swatches-inherited" },
      swatches.map((sw) => h("li", { dataset: { swatch: `${sw.dimension}:${sw.value}` } }, swatchPreview(sw), h("span", { class: "small", text: `${sw.dimension}: ${sw.value}` }))))));
    return section;
  }
  if (!slots.swatches.length) {
    section.append(h("p", { class: "empty", text: "No product-specific swatches." }));
    return section;
  }
  const table = h("table", { class: "table swatch-table" }, h("thead", {}, h("tr", {}, h("th", { text: "Dimension" }), h("th", { text: "Value" }), h("th", { text: "Swatch" }), h("th", { text: "Type" }), h("th", {}, h("span", { class: "sr-only", text: "Actions" })))));
  const body = h("tbody");
  slots.swatches.forEach((swatch, index) => {
    const type = swatch.hex ? swatch.hex : swatch.crop ? `Image, cropped ${swatch.crop.width}×${swatch.crop.height} at ${swatch.crop.x},${swatch.crop.y}` : "Image";
    body.append(h("tr", { dataset: { swatch: `${swatch.dimension}:${swatch.value}` } },
      h("td", { text: swatch.dimension }), h("td", { text: swatch.value }), h("td", {}, swatchPreview(swatch)), h("td", { class: "small", text: type }),
      h("td", { class: "row-actions" }, can ? [
        h("button", { type: "button", class: "btn btn-small", "aria-label": `Edit swatch ${swatch.dimension} ${swatch.value}`, "data-edit-swatch": `${swatch.dimension}:${swatch.value}`, "data-focus-key": `edit-swatch:${swatch.dimension}:${swatch.value}`, onclick: async () => {
          const changed = await openSwatchEditor({ dimensions: state.product.dimensions, taken: slots.swatches.filter((_, i) => i !== index), initial: swatch });
          if (changed) edit((c) => { slotsOf(c, scope, { create: true }).swatches[index] = changed; });
        } }, "Edit"),
        h("button", { type: "button", class: "icon-btn danger", title: "Remove", "aria-label": `Remove swatch ${swatch.dimension} ${swatch.value}`, "data-focus-alt": "add-swatch", onclick: () => edit((c) => slotsOf(c, scope, { create: true }).swatches.splice(index, 1)) }, icon("trash")),
      ] : null),
    ));
  });
  table.append(body);
  section.append(table);
  return section;
}
