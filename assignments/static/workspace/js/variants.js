// The Variants tab: each variant with its values and an Assign media column (+, or the
// preview image when it has its own media), opening the variant's assignment view.
import { hasMedia, slotsOf } from "./content.js";
import { editable, shownContent } from "./document.js";
import { h } from "./dom.js";
import { mediaGet, mediaThumb } from "./media.js";
import { renderSlots } from "./slots.js";
import { emit, state } from "./store.js";

export function renderVariants(panel) {
  const content = shownContent();
  const can = editable();
  const dims = Object.keys(state.product.dimensions || {});
  panel.replaceChildren();
  const open = state.openScope.variants;
  if (open) {
    const scope = { kind: "variant", variant: open };
    panel.append(
      h("div", { class: "crumbs" },
        h("button", { type: "button", class: "btn btn-link", "data-focus-key": "back", "data-focus-alt": `variant:${open}`, onclick: () => { state.openScope.variants = null; emit(); } }, "← All variants"),
        h("span", { class: "crumb-current", text: open })),
      renderSlots(scope),
    );
    return;
  }
  const table = h("table", { class: "table variants-table" },
    h("thead", {}, h("tr", {}, h("th", { text: "Variant" }), dims.map((d) => h("th", { text: d })), h("th", { text: "Assign media" }))));
  const body = h("tbody");
  for (const variant of state.product.variants || []) {
    const slots = slotsOf(content, { kind: "variant", variant: variant.number });
    const own = hasMedia(slots);
    const first = own && slots.primary.length ? mediaGet(slots.primary[0]) : null;
    const openIt = () => {
      state.openScope.variants = variant.number;
      emit();
    };
    const assign = h("button", { type: "button", class: `assign${own ? " assign-own" : ""}`, "aria-label": `${own ? "Open" : "Assign media to"} ${variant.number}`, dataset: { variant: variant.number }, "data-focus-key": `variant:${variant.number}`, "data-focus-alt": "back", onclick: openIt },
      first ? mediaThumb(first, { size: "sm" }) : h("span", { class: "plus", "aria-hidden": "true" }, own ? "●" : can ? "+" : "–"));
    body.append(h("tr", {}, h("td", { class: "mono", text: variant.number }), dims.map((d) => h("td", { text: variant.values[d] || "" })), h("td", {}, assign)));
  }
  table.append(body);
  panel.append(table);
}
