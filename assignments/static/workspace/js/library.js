// The media library page: search, facets with counts, grid or list, pages, a selection
// kept across pages with bulk actions, and drag-and-drop upload (library_upload.js).
import { config, errorMessages } from "./api.js";
import { $, $$, formatDate, h, hideAlert, showAlert } from "./dom.js";
import { initBulk } from "./library_bulk.js";
import { activeFilterCount, formatBytes, librarySearch, previewUrl, queryFromUrl, queryParams, renderFacets } from "./library_query.js";
import { initUpload } from "./library_upload.js";
import { mediaThumb } from "./media.js";

const params = new URLSearchParams(window.location.search);
let query = queryFromUrl(window.location.search);
let view = params.get("view") === "list" ? "list" : "grid";
let page = null; // the last answer of GET media/
const selected = new Map(); // id -> item (kept across pages)
let loadSeq = 0;

const itemsBox = $("#lib-items");
const qInput = $("#lib-q");
const sortSelect = $("#lib-sort");
const pageSize = $("#lib-page-size");

function itemUrl(id) {
  return config.item_url.replace("__id__", id);
}

function remember() {
  const search = queryParams(query);
  if (search.get("page_size") === "48") search.delete("page_size");
  if (view === "list") search.set("view", "list");
  const text = search.toString();
  window.history.replaceState(null, "", config.library_url + (text ? `?${text}` : ""));
}

function statusBadges(item) {
  const badges = [h("span", { class: `badge badge-${item.status}`, text: item.status === "published" ? "Published" : "Draft" })];
  if (item.availability && item.availability !== "available") badges.push(h("span", { class: `badge badge-${item.availability}`, text: item.availability === "expired" ? "Expired" : "Scheduled" }));
  if (item.kind === "image" && !(item.alt_text || "").trim()) badges.push(h("span", { class: "badge badge-warn", text: "No alt text" }));
  return badges;
}

function thumbFor(item, size) {
  const pdf = previewUrl(item, config.api);
  if (pdf) return h("img", { class: `thumb thumb-${size}`, src: pdf, alt: "", loading: "lazy" });
  const thumb = mediaThumb(item, { size });
  if (thumb.tagName === "IMG") thumb.setAttribute("alt", ""); // the title beside it names the item
  return thumb;
}

function checkbox(item) {
  return h("input", {
    type: "checkbox",
    class: "lib-check",
    "aria-label": `Select ${item.title || item.display_name}`,
    checked: selected.has(item.id),
    dataset: { id: item.id },
    onchange: (e) => {
      if (e.target.checked) selected.set(item.id, item);
      else selected.delete(item.id);
      selectionChanged();
    },
  });
}

function renderGrid(items) {
  return h(
    "ul",
    { class: "lib-grid", "aria-label": "Library items" },
    items.map((item) =>
      h(
        "li",
        { class: `lib-tile${selected.has(item.id) ? " selected" : ""}`, dataset: { id: item.id } },
        checkbox(item),
        h("a", { class: "lib-tile-link", href: itemUrl(item.id) }, thumbFor(item, "lg"), h("span", { class: "lib-tile-title", text: item.title || item.display_name })),
        h("span", { class: "lib-tile-meta muted small", text: `${item.kind} · ${formatBytes(item.size)}` }),
        h("span", { class: "lib-badges" }, statusBadges(item)),
      ),
    ),
  );
}

function renderList(items) {
  const head = ["", "", "Title", "Kind", "Status", "Size", "Tags", "Uploaded by", "Uploaded"];
  return h(
    "table",
    { class: "table lib-table", "aria-label": "Library items" },
    h("thead", {}, h("tr", {}, head.map((t, i) => h("th", { scope: "col" }, i === 0 ? h("span", { class: "sr-only", text: "Selected" }) : i === 1 ? h("span", { class: "sr-only", text: "Preview" }) : t)))),
    h(
      "tbody",
      {},
      items.map((item) =>
        h(
          "tr",
          { class: `lib-row${selected.has(item.id) ? " selected" : ""}`, dataset: { id: item.id } },
          h("td", {}, checkbox(item)),
          h("td", {}, thumbFor(item, "sm")),
          h("td", {}, h("a", { href: itemUrl(item.id), text: item.title || item.display_name }), h("div", { class: "muted small", text: item.display_name })),
          h("td", { text: item.kind }),
          h("td", {}, statusBadges(item)),
          h("td", { class: "num", text: formatBytes(item.size) }),
          h("td", { class: "small", text: (item.tags || []).join(", ") }),
          h("td", { text: item.uploaded_by || "—" }),
          h("td", { class: "small", text: formatDate(item.created_at) }),
        ),
      ),
    ),
  );
}

function renderItems() {
  const items = page ? page.results : [];
  if (!items.length) {
    const filtered = activeFilterCount(query) > 0;
    itemsBox.replaceChildren(h("div", { class: "empty-block" }, h("p", { text: filtered ? "No media match these filters." : "The library is empty. Drop files above to add some." })));
  } else itemsBox.replaceChildren(view === "list" ? renderList(items) : renderGrid(items));
  for (const button of $$("[data-view]")) button.setAttribute("aria-pressed", String(button.dataset.view === view));
  selectionChanged();
}

function renderPager() {
  const pager = $("#lib-pager");
  if (!page || !page.count) {
    pager.hidden = true;
    return;
  }
  const pages = Math.max(1, Math.ceil(page.count / query.page_size));
  pager.hidden = false;
  $("#lib-page").textContent = `Page ${query.page} of ${pages}`;
  $("#lib-prev").disabled = query.page <= 1;
  $("#lib-next").disabled = query.page >= pages;
}

function selectionChanged() {
  const onPage = page ? page.results : [];
  const all = $("#lib-select-all");
  const chosenHere = onPage.filter((i) => selected.has(i.id)).length;
  all.checked = onPage.length > 0 && chosenHere === onPage.length;
  all.indeterminate = chosenHere > 0 && chosenHere < onPage.length;
  $("#lib-selected").textContent = selected.size ? `${selected.size} selected` : "Select all on this page";
  for (const row of $$("[data-id].lib-tile, [data-id].lib-row")) row.classList.toggle("selected", selected.has(Number(row.dataset.id)));
  document.dispatchEvent(new CustomEvent("library:selection", { detail: { ids: [...selected.keys()] } }));
}

export async function load() {
  const mine = ++loadSeq;
  remember();
  hideAlert($("#lib-error"));
  itemsBox.setAttribute("aria-busy", "true");
  try {
    const { page: answer, counts } = await librarySearch(query);
    if (mine !== loadSeq) return;
    page = answer;
    const shown = page.results.length;
    const first = shown ? (query.page - 1) * query.page_size + 1 : 0;
    $("#lib-summary").textContent = page.count ? `${page.count} item${page.count === 1 ? "" : "s"}${shown < page.count ? `, showing ${first}–${first + shown - 1}` : ""}` : "No items";
    renderFacets($("#lib-facets"), counts, query, (next) => {
      query = next;
      load();
    });
    $("#lib-clear").hidden = activeFilterCount(query) === 0;
    renderItems();
    renderPager();
  } catch (err) {
    if (mine !== loadSeq) return;
    if (err.status === 404 && query.page > 1) {
      // The page ran past the end (items were deleted): go to the first page.
      query = { ...query, page: 1 };
      return load();
    }
    page = null;
    renderItems();
    showAlert($("#lib-error"), errorMessages(err));
  } finally {
    if (mine === loadSeq) itemsBox.removeAttribute("aria-busy");
  }
}

export function clearSelection(ids = null) {
  for (const id of ids || [...selected.keys()]) selected.delete(id);
  selectionChanged();
}

export function selectedIds() {
  return [...selected.keys()];
}

let debounce = null;
qInput.value = query.q;
qInput.addEventListener("input", () => {
  clearTimeout(debounce);
  debounce = setTimeout(() => {
    query = { ...query, q: qInput.value.trim(), page: 1 };
    load();
  }, 250);
});
qInput.addEventListener("keydown", (e) => {
  if (e.key === "Enter") {
    clearTimeout(debounce);
    query = { ...query, q: qInput.value.trim(), page: 1 };
    load();
  }
});
sortSelect.value = query.sort;
sortSelect.addEventListener("change", () => {
  query = { ...query, sort: sortSelect.value, page: 1 };
  load();
});
pageSize.value = String(query.page_size);
pageSize.addEventListener("change", () => {
  query = { ...query, page_size: Number(pageSize.value), page: 1 };
  load();
});
$("#lib-prev").addEventListener("click", () => {
  query = { ...query, page: query.page - 1 };
  load();
});
$("#lib-next").addEventListener("click", () => {
  query = { ...query, page: query.page + 1 };
  load();
});
$("#lib-clear").addEventListener("click", () => {
  query = { ...queryFromUrl(""), sort: query.sort, page_size: query.page_size };
  qInput.value = "";
  load();
});
for (const button of $$("[data-view]"))
  button.addEventListener("click", () => {
    view = button.dataset.view;
    remember();
    renderItems();
  });
$("#lib-select-all").addEventListener("change", (e) => {
  for (const item of page ? page.results : []) {
    if (e.target.checked) selected.set(item.id, item);
    else selected.delete(item.id);
  }
  renderItems();
});

initUpload({ onUploaded: load });
initBulk({ selectedIds, clearSelection, reload: load });
load();
