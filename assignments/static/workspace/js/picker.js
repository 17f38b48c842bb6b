// The media picker: browse and search the library with thumbnails, select one or many,
// upload new files (title and alt text asked here), Apply.
import { api, errorMessages } from "./api.js";
import { $, closeDialog, h, hideAlert, openDialog, showAlert } from "./dom.js";
import { mediaThumb, remember } from "./media.js";

const dialog = $("#picker-dialog");
const grid = $("#picker-grid");
const q = $("#picker-q");
const kind = $("#picker-kind");
const applyButton = $("#picker-apply");
const count = $("#picker-count");
const uploadBox = $("#picker-upload");

let options = { multiple: true, kind: "" };
let selected = [];
let resolver = null;
let loadSeq = 0;

function updateCount() {
  count.textContent = selected.length ? `${selected.length} selected` : "Nothing selected";
  applyButton.disabled = selected.length === 0;
}

function toggle(id, on) {
  if (!options.multiple) selected = on ? [id] : [];
  else if (on && !selected.includes(id)) selected.push(id);
  else if (!on) selected = selected.filter((x) => x !== id);
  for (const input of grid.querySelectorAll("input[data-id]")) input.checked = selected.includes(Number(input.dataset.id));
  for (const li of grid.querySelectorAll("li[data-id]")) li.classList.toggle("selected", selected.includes(Number(li.dataset.id)));
  updateCount();
}

async function load() {
  const mine = ++loadSeq;
  hideAlert($("#picker-error"));
  grid.replaceChildren(h("li", { class: "muted", text: "Loading…" }));
  try {
    const page = await api.get("media/", { q: q.value.trim(), kind: options.kind || kind.value, page_size: 100 });
    if (mine !== loadSeq) return;
    const items = page.results || page;
    grid.replaceChildren();
    if (!items.length) grid.append(h("li", { class: "muted empty", text: "No media match. Try other words, or upload a file." }));
    for (const item of items) {
      remember(item);
      const input = h("input", { type: options.multiple ? "checkbox" : "radio", name: "picker-item", "data-id": item.id, checked: selected.includes(item.id), onchange: (e) => toggle(item.id, e.target.checked) });
      grid.append(
        h("li", { class: `picker-item${selected.includes(item.id) ? " selected" : ""}`, dataset: { id: item.id } },
          h("label", { title: item.title || item.display_name },
            input,
            mediaThumb(item, { size: "lg" }),
            h("span", { class: "picker-name", text: item.title || item.display_name }),
            h("span", { class: "muted small", text: `${item.kind}${item.status === "published" ? "" : " · draft"}` }),
          ),
        ),
      );
    }
  } catch (err) {
    if (mine === loadSeq) {
      grid.replaceChildren();
      showAlert($("#picker-error"), errorMessages(err));
    }
  }
}

async function upload() {
  const file = $("#upload-file").files[0];
  const error = $("#upload-error");
  if (!file) {
    showAlert(error, "Choose a file to upload.");
    return;
  }
  const form = new FormData();
  form.append("file", file);
  form.append("title", $("#upload-title").value.trim());
  form.append("alt_text", $("#upload-alt").value.trim());
  const button = $("#upload-submit");
  button.disabled = true;
  button.textContent = "Uploading…";
  try {
    const { data } = await api.upload("media/", form);
    remember(data);
    hideAlert(error);
    uploadBox.hidden = true;
    $("#upload-file").value = "";
    $("#upload-title").value = "";
    $("#upload-alt").value = "";
    if (!options.multiple) selected = [];
    if (!selected.includes(data.id)) selected.push(data.id);
    q.value = "";
    await load();
    updateCount();
    if (data.duplicate) showAlert($("#picker-error"), `This file is already in the library as “${data.title || data.display_name}”; it is selected.`, "info");
  } catch (err) {
    showAlert(error, errorMessages(err));
  } finally {
    button.disabled = false;
    button.textContent = "Upload";
  }
}

function finish(result) {
  closeDialog(dialog);
  if (resolver) resolver(result);
  resolver = null;
}

let debounce = null;
q.addEventListener("input", () => {
  clearTimeout(debounce);
  debounce = setTimeout(load, 250);
});
q.addEventListener("keydown", (e) => {
  if (e.key === "Enter") {
    e.preventDefault();
    clearTimeout(debounce);
    load();
  }
});
kind.addEventListener("change", load);
$("#picker-upload-toggle").addEventListener("click", () => {
  uploadBox.hidden = !uploadBox.hidden;
  if (!uploadBox.hidden) $("#upload-file").focus();
});
$("#upload-submit").addEventListener("click", upload);
applyButton.addEventListener("click", () => finish([...selected]));
$("#picker-cancel").addEventListener("click", () => finish(null));
dialog.addEventListener("cancel", (e) => {
  e.preventDefault();
  finish(null);
});

// Resolves with the chosen ids (in the order chosen) or null when cancelled.
export function openPicker({ multiple = true, kind: onlyKind = "" } = {}) {
  options = { multiple, kind: onlyKind };
  selected = [];
  kind.value = onlyKind;
  kind.disabled = !!onlyKind;
  q.value = "";
  uploadBox.hidden = true;
  hideAlert($("#upload-error"));
  $("#picker-title").textContent = multiple ? "Media library" : "Choose an image";
  updateCount();
  openDialog(dialog);
  q.focus();
  load();
  return new Promise((resolve) => {
    resolver = resolve;
  });
}
