// "Manage purposes" (admins, R1a, R7): add, rename and delete the tenant's purposes of
// additional media through the purposes API. The server checks the role, validates the
// code and refuses deleting a purpose in use (409, in words); this only shows its answer.
import { api, config, errorMessages, request } from "./api.js";
import { captureFocus, closeDialog, confirmDialog, focusFirst, focusLost, h, hideAlert, openDialog, restoreFocus, showAlert } from "./dom.js";
import { emit } from "./store.js";

let dialog = null;
// The API's field names as this dialog labels them.
const LABELS = { code: "Code", name: "Name" };

function build() {
  const list = h("ul", { class: "purpose-list", id: "purpose-list", "aria-label": "Purposes" });
  const error = h("div", { class: "alert", id: "purpose-error", role: "alert", hidden: true });
  const status = h("p", { class: "sr-only", id: "purpose-status", role: "status" });
  const code = h("input", { type: "text", id: "purpose-new-code", maxlength: 63, autocomplete: "off" });
  const name = h("input", { type: "text", id: "purpose-new-name", maxlength: 200, autocomplete: "off" });
  const add = h("form", { class: "purpose-add", onsubmit: async (e) => {
    e.preventDefault();
    if (await run(() => api.post("purposes/", { code: code.value.trim(), name: name.value.trim() }))) {
      code.value = "";
      name.value = "";
    }
  } },
    h("label", {}, "Code ", code),
    h("label", {}, "Name ", name),
    h("button", { type: "submit", class: "btn btn-primary", id: "purpose-add" }, "Add purpose"));
  dialog = h("dialog", { class: "dialog", id: "purposes-dialog", "aria-labelledby": "purposes-title" },
    h("div", { class: "dialog-inner" },
      h("header", { class: "dialog-head" }, h("h2", { id: "purposes-title", text: "Purposes of additional media" })),
      h("p", { class: "muted small", text: "A purpose's code is fixed once created (entries and manifests name it); its name can change." }),
      list, error, status, add,
      h("footer", { class: "dialog-foot" }, h("button", { type: "button", class: "btn", id: "purposes-close", onclick: () => closeDialog(dialog) }, "Close"))));
  document.body.append(dialog);
}

async function run(call, done = "") {
  hideAlert(dialog.querySelector("#purpose-error"));
  dialog.querySelector("#purpose-status").textContent = "";
  try {
    await call();
    await refresh();
    dialog.querySelector("#purpose-status").textContent = done;
    return true;
  } catch (err) {
    showAlert(dialog.querySelector("#purpose-error"), errorMessages(err, LABELS));
    return false;
  }
}

// Deleting asks first (Cancel is the default); the purpose's row goes, so the focus moves
// to the Code field of "Add purpose" (as Remove moves to Add media on the product page).
async function remove(code, path) {
  const ok = await confirmDialog({
    title: `Delete the purpose ${code}?`,
    body: "It is removed from the list of purposes. A purpose that additional media uses, now or in a kept version, cannot be deleted.",
    ok: "Delete purpose",
    danger: true,
  });
  if (!ok) return;
  await run(() => request("DELETE", path), `Purpose ${code} deleted.`);
  if (focusLost()) focusFirst(dialog.querySelector("#purpose-new-code"));
}

async function refresh() {
  const purposes = await api.get("purposes/");
  config.purposes = purposes.map((p) => ({ code: p.code, name: p.name }));
  const list = dialog.querySelector("#purpose-list");
  // Rename and Delete rebuild the rows: keep the focus on the same control, or its fallback.
  const focused = captureFocus(list);
  list.replaceChildren(...purposes.map((p) => {
    const input = h("input", { type: "text", value: p.name, maxlength: 200, "aria-label": `Name of ${p.code}` });
    const path = `purposes/${encodeURIComponent(p.code)}/`;
    return h("li", { class: "purpose-row", dataset: { purpose: p.code } },
      h("code", { text: p.code }), input,
      h("button", { type: "button", class: "btn btn-small", "aria-label": `Rename ${p.code}`, onclick: () => run(() => request("PATCH", path, { body: { name: input.value } }), `Purpose ${p.code} renamed.`) }, "Rename"),
      h("button", { type: "button", class: "btn btn-small btn-danger-outline", "aria-label": `Delete ${p.code}`, "data-focus-alt": "purpose-new-code", onclick: () => remove(p.code, path) }, "Delete"));
  }));
  restoreFocus(dialog, focused);
  emit(); // the purpose selects and badges of the page follow
}

export async function openPurposes() {
  if (!dialog) build();
  hideAlert(dialog.querySelector("#purpose-error"));
  openDialog(dialog);
  try {
    await refresh();
  } catch (err) {
    showAlert(dialog.querySelector("#purpose-error"), errorMessages(err, LABELS));
  }
  dialog.querySelector("#purpose-new-code").focus();
}
