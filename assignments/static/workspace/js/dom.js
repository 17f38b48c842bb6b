// Small DOM helpers shared by the page modules.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

export function showAlert(el, lines, kind = "error") {
  if (!el) return;
  el.replaceChildren();
  const list = Array.isArray(lines) ? lines : [lines];
  if (!list.length || (list.length === 1 && !list[0])) {
    el.hidden = true;
    return;
  }
  el.className = `alert alert-${kind}`;
  el.append(h("strong", { text: list[0] }));
  if (list.length > 1) el.append(h("ul", {}, list.slice(1).map((line) => h("li", { text: line }))));
  el.hidden = false;
}

export function hideAlert(el) {
  if (el) {
    el.hidden = true;
    el.replaceChildren();
  }
}

// Focus management. Parts of the page are rebuilt on every change, so an element that had the
// focus may be gone a moment later: controls carry a stable key (data-focus-key, else their
// aria-label, else their id) and, where they may vanish or be disabled by their own action,
// data-focus-alt, the key of the control to land on instead (Remove → Add media, the top
// row's Move up → its Move down). Focus is never left on <body> after an action.
export function focusKeyOf(el) {
  if (!el || !el.getAttribute) return null;
  return el.getAttribute("data-focus-key") || el.getAttribute("aria-label") || el.id || null;
}

export function isFocusable(el) {
  return !!el && el.isConnected && !el.disabled && !el.closest("[hidden]") && el.getClientRects().length > 0;
}

function findByKey(root, key) {
  if (!key) return null;
  const found = [...root.querySelectorAll("[data-focus-key], [aria-label], [id]")].filter((el) => focusKeyOf(el) === key);
  return found.find(isFocusable) || null;
}

export const focusLost = () => !document.activeElement || document.activeElement === document.body;

// What has the focus inside `root` now, to put it back after `root` is rebuilt.
export function captureFocus(root) {
  const active = document.activeElement;
  if (!active || active === document.body || !root.contains(active)) return null;
  return { key: focusKeyOf(active), alt: active.getAttribute("data-focus-alt") };
}

export function restoreFocus(root, captured) {
  if (!captured) return null;
  const target = findByKey(root, captured.key) || findByKey(root, captured.alt);
  if (target && document.activeElement !== target) target.focus();
  return target;
}

// Focus the first candidate (element or selector) that can take it.
export function focusFirst(...candidates) {
  for (const candidate of candidates.flat()) {
    const el = typeof candidate === "string" ? document.querySelector(candidate) : candidate;
    if (isFocusable(el)) {
      el.focus();
      return el;
    }
  }
  return null;
}

// A focus that could not be placed yet (its control disabled while an action runs): the
// next render of the part holding it takes it (pendingFocusTake) and places it.
let pendingFocus = null;
export function pendingFocusTake() {
  const taken = pendingFocus;
  pendingFocus = null;
  return taken;
}
export function focusLater(captured) {
  pendingFocus = captured;
}

// Modal dialogs: the browser returns the focus to the control that opened them; when that
// control was rebuilt meanwhile, the focus goes to its successor (same key) instead.
export function openDialog(dialog) {
  if (dialog.open) return;
  const opener = document.activeElement;
  const captured = opener && opener !== document.body ? { key: focusKeyOf(opener), alt: opener.getAttribute("data-focus-alt") } : null;
  dialog.addEventListener(
    "close",
    () => {
      // Its successor may be disabled while the action saves: the next render places it.
      if (captured && (focusLost() || !opener.isConnected) && !restoreFocus(document, captured)) pendingFocus = captured;
      // Opened by no control (a job dialog after others closed): its data-return-focus says where.
      if (focusLost() && dialog.dataset.returnFocus) focusFirst([...document.querySelectorAll(dialog.dataset.returnFocus)]);
    },
    { once: true },
  );
  dialog.showModal();
}

export function closeDialog(dialog) {
  if (dialog.open) dialog.close();
}

// A confirm dialog in the page's style; resolves true on OK, false on Cancel or Esc. `ok` is
// the confirming button's label: a verb saying what happens ("Delete group"), never "OK",
// for a destructive (`danger`) question.
export function confirmDialog({ title, body, ok = "OK", danger = false }) {
  const dialog = document.getElementById("confirm-dialog");
  document.getElementById("confirm-title").textContent = title;
  const content = document.getElementById("confirm-body");
  content.replaceChildren(...(Array.isArray(body) ? body : [body]).map((b) => (b instanceof Node ? b : h("p", { text: b }))));
  const okButton = document.getElementById("confirm-ok");
  okButton.textContent = ok;
  okButton.className = danger ? "btn btn-danger" : "btn btn-primary";
  return new Promise((resolve) => {
    const finish = (answer) => {
      okButton.removeEventListener("click", onOk);
      cancel.removeEventListener("click", onCancel);
      dialog.removeEventListener("cancel", onCancel);
      closeDialog(dialog);
      resolve(answer);
    };
    const onOk = () => finish(true);
    const onCancel = (event) => {
      if (event) event.preventDefault();
      finish(false);
    };
    const cancel = document.getElementById("confirm-cancel");
    okButton.addEventListener("click", onOk);
    cancel.addEventListener("click", onCancel);
    dialog.addEventListener("cancel", onCancel);
    openDialog(dialog);
    // A destructive answer is never the default: Enter (or a stray click) cancels.
    (danger ? cancel : okButton).focus();
  });
}

// A date from the API in the user's locale (Intl.DateTimeFormat), never raw ISO.
export function formatDate(value) {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(navigator.languages && navigator.languages.length ? navigator.languages : undefined, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

// <time datetime="ISO">local words</time>: machines read the ISO, people the words.
export function timeElement(value) {
  if (!value) return document.createTextNode("");
  return h("time", { datetime: value, title: value, text: formatDate(value) });
}

// Inline icons (no icon font: the page must not depend on the system's emoji fonts).
const ICONS = {
  trash: "M3 6h18M8 6V4h8v2M6 6l1 14h10l1-14M10 11v6M14 11v6",
};

export function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[name]);
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "2");
  path.setAttribute("stroke-linecap", "round");
  path.setAttribute("stroke-linejoin", "round");
  svg.append(path);
  return svg;
}
