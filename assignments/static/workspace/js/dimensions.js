// The Dimensions tab: create or change the assignment matrix, the grid of the chosen
// dimensions' values, and a cell's own assignment view.
import { combinations, hasMedia, scopeLabel, slotsOf } from "./content.js";
import { edit, editable, shownContent } from "./document.js";
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
  const first = slots && slots.primary.length ? mediaGet(slots.primary[0]) : null;
  const label = scopeLabel(scope);
  const own = hasMedia(slots);
  const shown = Object.values(values).join(" · ");
  const count = own ? `${slots.primary.length} media` : "";
  return h("button", {
    type: "button",
    class: `cell${own ? " cell-own" : ""}`,
    dataset: { cell: Object.values(values).join("|") },
    "data-focus-key": `cell:${Object.values(values).join("|")}`,
    "data-focus-alt": "back", // opening it shows its media under "← All combinations"
    // The name starts with the words shown (speech control users say what they see).
    "aria-label": `${shown}${count ? ` ${count}` : ""} (${label}; ${own ? "own media" : "no own media"})`,
    onclick: () => {
      state.openScope.dimensions = values;
      emit();
    },
  }, own && first ? decorative(mediaThumb(first, { size: "sm" })) : h("span", { class: "plus", "aria-hidden": "true" }, can ? "+" : "–"),
     h("span", { class: "cell-label small", text: Object.values(values).join(" · ") }),
     own ? " " : null, // (not rendered in the flex column; keeps the words apart in the name)
     own ? h("span", { class: "muted small", text: count }) : null);
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
  if (!content.matrix.length) {
    panel.append(h("div", { class: "empty-block" },
      h("p", { text: "No assignment matrix yet. An assignment matrix chooses the dimensions that get their own media (e.g. colour and style, ignoring size)." }),
      can ? h("button", { type: "button", class: "btn btn-primary", "data-matrix": "create", "data-focus-key": "matrix", onclick: openMatrixDialog }, "Create assignment matrix") : h("p", { class: "muted small", text: "Edit product media to create one." })));
    return;
  }
  panel.append(h("div", { class: "matrix-head" },
    h("p", {}, "Assignment matrix: ", h("strong", { text: content.matrix.join(" × ") })),
    can ? h("button", { type: "button", class: "btn", "data-matrix": "change", "data-focus-key": "matrix", onclick: openMatrixDialog }, "Change assignment matrix") : null));
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
