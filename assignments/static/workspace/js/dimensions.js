// The Dimensions tab: create or change the assignment matrix, the grid of the chosen
// dimensions' values, and a cell's own assignment view.
import { combinations, hasMedia, scopeLabel, slotsOf } from "./content.js";
import { edit, editable, effectiveOf, shownContent } from "./document.js";
import { $, closeDialog, h, hideAlert, openDialog, showAlert } from "./dom.js";
import { mediaGet, mediaThumb } from "./media.js";
import { renderSlots } from "./slots.js";
import { emit, state } from "./store.js";

const dialog = $("#matrix-dialog");

function openMatrixDialog() {
  const current = shownContent().matrix;
  const box = $("#matrix-dims");
  box.replaceChildren(
    ...Object.entries(state.product.dimensions).map(([dim, values]) =>
      h("label", { class: "check" }, h("input", { type: "checkbox", value: dim, checked: current.includes(dim) }), ` ${dim} `, h("span", { class: "muted small", text: `(${values.join(", ")})` })),
    ),
  );
  $("#matrix-title").textContent = current.length ? "Change assignment matrix" : "Create assignment matrix";
  $("#matrix-apply").textContent = current.length ? "Change assignment matrix" : "Create assignment matrix";
  hideAlert($("#matrix-error"));
  openDialog(dialog);
}

$("#matrix-cancel").addEventListener("click", () => closeDialog(dialog));
$("#matrix-apply").addEventListener("click", () => {
  const order = Object.keys(state.product.dimensions);
  const chosen = [...$("#matrix-dims").querySelectorAll("input:checked")].map((i) => i.value).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  if (!chosen.length) return showAlert($("#matrix-error"), "Choose at least one dimension.");
  closeDialog(dialog);
  const current = shownContent().matrix;
  if (chosen.join() === current.join()) return;
  state.openScope.dimensions = null;
  // Rows of the old matrix cannot fit the new one; the server asks for confirmation.
  edit((c) => {
    c.matrix = chosen;
    c.dimensions = [];
  });
});

// The cell's name says what it holds; its thumbnail adds nothing to it.
function decorative(thumb) {
  if (thumb.tagName === "IMG") thumb.alt = "";
  else thumb.setAttribute("aria-hidden", "true");
  return thumb;
}

function cell(content, values, can) {
  const scope = { kind: "dimension", values };
  const slots = slotsOf(content, scope);
  const own = hasMedia(slots);
  // What the cell shows after fallback, and from where, as the server resolved it.
  const eff = effectiveOf(scope);
  const source = !own && eff ? eff.provenance.primary || eff.provenance.additional : null;
  const shownId = eff ? eff.default_image || eff.primary[0] : own && slots.primary.length ? slots.primary[0] : null;
  const first = shownId ? mediaGet(shownId) : null;
  const label = scopeLabel(scope);
  const shown = Object.values(values).join(" · ");
  const count = own ? `${slots.primary.length} media` : "";
  const note = own ? count : source ? source.label : "";
  return h("button", {
    type: "button",
    class: `cell${own ? " cell-own" : ""}`,
    dataset: { cell: Object.values(values).join("|") },
    "data-focus-key": `cell:${Object.values(values).join("|")}`,
    "data-focus-alt": "back", // opening it shows its media under "← All combinations"
    // The name starts with the words shown (speech control users say what they see).
    "aria-label": `${shown}${note ? ` ${note}` : ""} (${label}; ${own ? "own media" : source ? "inherited media" : "no own media"})`,
    onclick: () => {
      state.openScope.dimensions = values;
      emit();
    },
  }, first && (own || source) ? decorative(mediaThumb(first, { size: "sm" })) : h("span", { class: "plus", "aria-hidden": "true" }, can ? "+" : "–"),
     h("span", { class: "cell-label small", text: Object.values(values).join(" · ") }),
     note ? " " : null, // (not rendered in the flex column; keeps the words apart in the name)
     own ? h("span", { class: "muted small", text: count }) : source ? h("span", { class: "small cell-source", text: source.label }) : null);
}

export function renderDimensions(panel) {
  const content = shownContent();
  const can = editable();
  const dims = state.product.dimensions || {};
  panel.replaceChildren();
  if (state.openScope.dimensions) {
    const scope = { kind: "dimension", values: state.openScope.dimensions };
    panel.append(
      h("div", { class: "crumbs" },
        h("button", { type: "button", class: "btn btn-link", "data-focus-key": "back", "data-focus-alt": `cell:${Object.values(scope.values).join("|")}`, onclick: () => { state.openScope.dimensions = null; emit(); } }, "← All combinations"),
        h("span", { class: "crumb-current", text: scopeLabel(scope) })),
      renderSlots(scope),
    );
    return;
  }
  // A context that inherits shows the governing (inherited) matrix, read-only until
  // "Override here" on a cell (or Edit) copies the inherited content.
  const effMatrix = state.doc && state.doc.effective ? state.doc.effective.matrix : [];
  const inheritedMatrix = !can && !content.matrix.length && effMatrix.length && state.doc.inherited_from;
  if (inheritedMatrix) content.matrix = [...effMatrix];
  if (!content.matrix.length) {
    panel.append(h("div", { class: "empty-block" },
      h("p", { text: "No assignment matrix yet. An assignment matrix chooses the dimensions that get their own media (e.g. colour and style, ignoring size)." }),
      can ? h("button", { type: "button", class: "btn btn-primary", "data-matrix": "create", "data-focus-key": "matrix", onclick: openMatrixDialog }, "Create assignment matrix") : h("p", { class: "muted small", text: "Edit product media to create one." })));
    return;
  }
  panel.append(h("div", { class: "matrix-head" },
    h("p", {}, "Assignment matrix: ", h("strong", { text: content.matrix.join(" × ") }), inheritedMatrix ? h("span", { class: "muted small", text: ` (inherited from ${state.doc.inherited_from.channel} / ${state.doc.inherited_from.locale})` }) : null),
    can && !inheritedMatrix ? h("button", { type: "button", class: "btn", "data-matrix": "change", "data-focus-key": "matrix", onclick: openMatrixDialog }, "Change assignment matrix") : null));
  const last = content.matrix[content.matrix.length - 1];
  const rowsDims = content.matrix.slice(0, -1);
  const rows = rowsDims.length ? combinations(dims, rowsDims) : [{}];
  const table = h("table", { class: "grid-table" },
    // A one-dimension matrix has no row headers: no empty header cells then.
    h("thead", {}, h("tr", {}, rowsDims.length ? h("th", { scope: "col", text: rowsDims.join(" · ") }) : null, (dims[last] || []).map((v) => h("th", { scope: "col", text: `${last}: ${v}` })))));
  const body = h("tbody");
  for (const row of rows) {
    body.append(h("tr", {},
      rowsDims.length ? h("th", { scope: "row", text: Object.values(row).join(" · ") }) : null,
      (dims[last] || []).map((v) => h("td", {}, cell(content, { ...row, [last]: v }, can)))));
  }
  table.append(body);
  panel.append(h("div", { class: "grid-wrap" }, table));
}
