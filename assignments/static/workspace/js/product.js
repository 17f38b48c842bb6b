// The selected product: heading, check-out status, the action bar (each action enabled
// only when it applies) and the Master / Dimensions / Variants tabs.
import { config } from "./api.js";
import { renderDimensions } from "./dimensions.js";
import { checkin, checkout, discard, editable, heldByOther, isHolder, reset, save } from "./document.js";
import { $, $$, captureFocus, focusFirst, focusLater, focusLost, h, pendingFocusTake, restoreFocus, showAlert } from "./dom.js";
import { openPreview } from "./preview.js";
import { publish } from "./publish.js";
import { renderSlots } from "./slots.js";
import { emit, state, subscribe } from "./store.js";
import { renderVariants } from "./variants.js";
import { openVersions } from "./versions.js";

const view = $("#product-view");
const STATE_LABEL = { empty: "No assignments", draft: "Draft (not published)", checked_out: "Being edited", published: "Published" };

const buttons = Object.fromEntries($$("[data-action]", view).map((b) => [b.dataset.action, b]));
const handlers = {
  checkout,
  checkin,
  discard,
  reset,
  preview: () => openPreview(),
  versions: () => openVersions(),
  publish: () => publish(),
};
// Where the focus goes when an action took it away (its button hid or disabled itself):
// Edit and Finish swap places, so each lands on the other.
const focusAfter = {
  checkout: ["checkin", "checkout"],
  checkin: ["checkout", "publish", "preview"],
  discard: ["checkout", "preview"],
  reset: ["checkout", "preview"],
  publish: ["preview", "checkout"],
  preview: [],
};
for (const [name, button] of Object.entries(buttons)) {
  button.addEventListener("click", async () => {
    await handlers[name]();
    const stranded = document.activeElement === button && (button.disabled || button.hidden);
    if (focusLost() || stranded) focusFirst(focusAfter[name].map((n) => buttons[n]));
  });
}

for (const tab of $$("[data-tab]", view)) {
  tab.addEventListener("click", () => {
    state.tab = tab.dataset.tab;
    emit();
  });
  tab.addEventListener("keydown", (e) => {
    const tabs = $$("[data-tab]:not([hidden])", view);
    const i = tabs.indexOf(tab);
    const next = e.key === "ArrowRight" ? tabs[(i + 1) % tabs.length] : e.key === "ArrowLeft" ? tabs[(i - 1 + tabs.length) % tabs.length] : null;
    if (next) {
      e.preventDefault();
      next.focus();
      next.click();
    }
  });
}

function enable(doc) {
  const hasDoc = doc && doc.state !== "empty";
  const free = doc && !doc.checked_out_by;
  const busy = state.busy || state.saving;
  const rules = {
    checkout: config.can.edit && free,
    checkin: isHolder(),
    discard: isHolder() || (heldByOther() && config.can.discard_any),
    preview: !!doc,
    versions: !!doc && !!doc.version,
    publish: config.can.publish && free && doc.state === "draft",
    reset: config.can.edit && !heldByOther() && (hasDoc || isHolder() || !!doc.draft),
  };
  const why = {
    checkout: !config.can.edit ? "You need the editor role to edit." : heldByOther() ? `Being edited by ${doc.checked_out_by}.` : isHolder() ? "You are editing." : "",
    publish: !config.can.publish ? "You need the publisher role to publish." : !free ? "Finish editing first: only checked-in content can be published." : doc.state !== "draft" ? "Nothing new to publish." : "",
    reset: heldByOther() ? `Being edited by ${doc.checked_out_by}.` : "",
    versions: "No checked-in versions yet.",
  };
  for (const [name, button] of Object.entries(buttons)) {
    button.disabled = busy || !rules[name];
    button.title = button.disabled ? why[name] || "" : "";
  }
  buttons.checkout.hidden = isHolder();
  buttons.checkin.hidden = !isHolder();
}

function render() {
  const showProduct = state.entity && state.entity.type === "product" && state.product;
  view.hidden = !showProduct;
  if (!showProduct) return;
  const { product, doc } = state;
  $("#product-kind").textContent = product.kind === "master" ? "Product master" : "Product";
  $("#product-title").textContent = product.name;
  $("#product-number").textContent = `${product.number} · ${state.channel} / ${state.locale}`;
  $("#product-admin-link").href = config.admin_product_url.replace("__number__", encodeURIComponent(product.number));
  const badge = $("#doc-state");
  badge.textContent = STATE_LABEL[doc.state] || doc.state;
  badge.className = `badge badge-${doc.state}`;
  const holder = $("#doc-holder");
  holder.hidden = !doc.checked_out_by;
  holder.textContent = isHolder() ? "You are editing" : doc.checked_out_by ? `Being edited by ${doc.checked_out_by}` : "";
  holder.classList.toggle("holder-other", heldByOther());
  const inherited = $("#doc-inherited");
  inherited.hidden = !doc.inherited_from;
  if (doc.inherited_from) inherited.textContent = `Inherits from ${doc.inherited_from.channel} / ${doc.inherited_from.locale}`;
  enable(doc);

  const saveState = $("#save-state");
  saveState.replaceChildren();
  if (state.saving) saveState.textContent = "Saving…";
  else if (state.dirty && editable()) {
    saveState.append(h("span", { class: "unsaved", text: "Unsaved changes " }), h("button", { type: "button", class: "btn btn-small", onclick: () => save() }, "Retry save"));
  } else if (editable()) saveState.textContent = doc.working ? "All changes saved" : "";
  else saveState.textContent = doc.version ? `Version ${doc.version}${doc.published_version ? ` · published v${doc.published_version}` : ""}` : "";

  showAlert($("#product-error"), state.error || []);
  showAlert($("#product-notice"), state.notice || [], "warning");

  const master = product.kind === "master";
  $("#tab-dimensions").hidden = !master;
  $("#tab-variants").hidden = !master;
  if (!master) state.tab = "master";
  $("#editor").hidden = state.previewing;
  for (const tab of $$("[data-tab]", view)) {
    const selected = tab.dataset.tab === state.tab;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    const tabPanel = $(`#panel-${tab.dataset.tab}`);
    tabPanel.hidden = !selected;
    if (!selected) tabPanel.replaceChildren(); // one live editor at a time
  }
  const panel = $(`#panel-${state.tab}`);
  // Keep keyboard focus on the same control across the re-render (arrows, remove...).
  const focused = captureFocus(panel) || (focusLost() ? pendingFocusTake() : null);
  if (state.tab === "master") panel.replaceChildren(renderSlots({ kind: "master" }));
  if (state.tab === "dimensions") renderDimensions(panel);
  if (state.tab === "variants") renderVariants(panel);
  if (focused && !restoreFocus(panel, focused) && focusLost()) focusLater(focused);
}

subscribe(render);
