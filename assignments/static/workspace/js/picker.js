// The media picker: browse and search the library with thumbnails, narrow it with the
// library's facets (counted by the server), page through any library size, see which items
// this slot already has, select one or many, upload new files (title and alt text asked
// here), Apply.
import { api, errorMessages } from "./api.js";
import { $, closeDialog, h, hideAlert, openDialog, showAlert } from "./dom.js";
import { emptyQuery, librarySearch, renderFacets } from "./library_query.js";
import { mediaThumb, remember } from "./media.js";

const dialog = $("#picker-dialog");
const grid = $("#picker-grid");
const q = $("#picker-q");
const kind = $("#picker-kind");
const applyButton = $("#picker-apply");
const count = $("#picker-count");
const uploadBox = $("#picker-upload");

const PAGE_SIZE = 30;
const PICKER_FACETS = "kind,status,availability,tag,unused,missing_alt,uploaded_by,month";

let options = { multiple: true, kind: "", assigned: new Set() };
let selected = [];
let resolver = null;
let loadSeq = 0;
let query = emptyQuery();

// The facet column and the pager live beside the grid (made here, once). On a narrow screen
// the facets fold into a "Filters" disclosure above the grid, closed until asked for, so the
// grid keeps the dialog's whole width; on a wide one they stay open beside it.
const facetsBox = h("div", { class: "picker-facets", id: "picker-facets", "aria-label": "Filters" });
const filtersCount = h("span", { class: "picker-filters-count", id: "picker-filters-count" });
const filters = h("details", { class: "picker-filters", id: "picker-filters" },
  h("summary", { class: "picker-filters-toggle", id: "picker-filters-toggle" }, "Filters", filtersCount),
  facetsBox);
const wideScreen = window.matchMedia("(min-width: 641px)");
const fitFilters = () => {
  filters.open = wideScreen.matches;
};
wideScreen.addEventListener("change", fitFilters);
fitFilters();
const pager = h(
  "nav",
  { class: "pager picker-pager", id: "picker-pager", "aria-label": "Library pages", hidden: true },
  h("button", { type: "button", class: "btn btn-small", id: "picker-prev", onclick: () => turn(-1) }, "Previous"),
  h("span", { id: "picker-page" }),
  h("button", { type: "button", class: "btn btn-small", id: "picker-next", onclick: () => turn(1) }, "Next"),
);
const body = h("div", { class: "picker-body" });
grid.replaceWith(body);
body.append(filters, h("div", { class: "picker-main" }, grid, pager));

function turn(delta) {
  query = { ...query, page: query.page + delta };
  load();
}

function renderPager(page) {
  const pages = Math.max(1, Math.ceil(page.count / PAGE_SIZE));
  pager.hidden = page.count <= PAGE_SIZE;
  $("#picker-page").textContent = `Page ${query.page} of ${pages} · ${page.count} items`;
  $("#picker-prev").disabled = query.page <= 1;
  $("#picker-next").disabled = query.page >= pages;
}

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
  query = { ...query, q: q.value.trim(), kind: options.kind || kind.value, page_size: PAGE_SIZE };
  try {
    const { page, counts } = await librarySearch(query, { facets: PICKER_FACETS });
    if (mine !== loadSeq) return;
    const items = page.results || page;
    // Kind has its own select in the header; the column shows the other facets.
    renderFacets(facetsBox, counts, query, (next) => {
      query = next;
      load();
    }, { only: ["status", "availability", "tag", "unused", "missing_alt", "uploaded_by", "month"] });
    const on = facetsBox.querySelectorAll('.facet-option[aria-pressed="true"]').length;
    filtersCount.textContent = on ? ` (${on} on)` : "";
    renderPager(page);
    grid.replaceChildren();
    if (!items.length) grid.append(h("li", { class: "muted empty", text: "No media match. Try other words, or upload a file." }));
    for (const item of items) {
      remember(item);
      const assigned = options.assigned.has(item.id);
      const input = h("input", { type: options.multiple ? "checkbox" : "radio", name: "picker-item", "data-id": item.id, checked: selected.includes(item.id), onchange: (e) => toggle(item.id, e.target.checked) });
      grid.append(
        h("li", { class: `picker-item${selected.includes(item.id) ? " selected" : ""}${assigned ? " assigned" : ""}`, dataset: { id: item.id } },
          h("label", { title: item.title || item.display_name },
            input,
            mediaThumb(item, { size: "lg" }),
            h("span", { class: "picker-name", text: item.title || item.display_name }),
            h("span", { class: "muted small", text: `${item.kind}${item.status === "published" ? "" : " · draft"}` }),
            assigned ? h("span", { class: "badge badge-soft picker-assigned", text: "In this slot" }) : null,
          ),
        ),
      );
    }
  } catch (err) {
    if (mine === loadSeq && err.status === 404 && query.page > 1) {
      query = { ...query, page: 1 };
      return load();
    }
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
    query = emptyQuery(); // the new item is the newest: first page, no filters
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
const restart = () => {
  query = { ...query, page: 1 };
  load();
};
q.addEventListener("input", () => {
  clearTimeout(debounce);
  debounce = setTimeout(restart, 250);
});
q.addEventListener("keydown", (e) => {
  if (e.key === "Enter") {
    e.preventDefault();
    clearTimeout(debounce);
    restart();
  }
});
kind.addEventListener("change", restart);
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

// Resolves with the chosen ids (in the order chosen) or null when cancelled. `assigned`:
// the ids the slot already holds, marked in the grid.
export function openPicker({ multiple = true, kind: onlyKind = "", assigned = [] } = {}) {
  options = { multiple, kind: onlyKind, assigned: new Set(assigned) };
  query = emptyQuery();
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
