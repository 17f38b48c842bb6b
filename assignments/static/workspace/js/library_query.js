// The library's search state (filters, sort, page) and its facet panel, shared by the
// library page and the product workspace's picker. The server computes everything: the
// list (GET media/) and the counts (GET media/facets) take the same query.
import { api } from "./api.js";
import { h } from "./dom.js";

export const FILTER_KEYS = ["q", "kind", "status", "tag", "unused", "missing_alt", "uploaded_by", "uploaded_after", "uploaded_before", "availability"];

const KIND_LABELS = { image: "Images", video: "Videos", document: "Documents", other: "Other" };
const STATUS_LABELS = { draft: "Draft", published: "Published" };
const AVAILABILITY_LABELS = { available: "Available now", scheduled: "Scheduled", expired: "Expired" };

export function emptyQuery() {
  return { q: "", kind: "", status: "", tag: [], unused: "", missing_alt: "", uploaded_by: null, uploaded_after: "", uploaded_before: "", availability: "", sort: "newest", page: 1, page_size: 48 };
}

export function queryFromUrl(search) {
  const params = new URLSearchParams(search);
  const query = emptyQuery();
  for (const key of ["q", "kind", "status", "unused", "missing_alt", "uploaded_after", "uploaded_before", "availability", "sort"]) {
    if (params.has(key)) query[key] = params.get(key);
  }
  if (params.has("uploaded_by")) query.uploaded_by = params.get("uploaded_by");
  query.tag = params.getAll("tag");
  if (params.has("page")) query.page = Math.max(1, Number(params.get("page")) || 1);
  if (params.has("page_size")) query.page_size = Number(params.get("page_size")) || 48;
  return query;
}

// URLSearchParams of the non-empty filters (and paging when asked).
export function queryParams(query, { paging = true, sort = true } = {}) {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = query[key];
    if (key === "tag") for (const t of value) params.append("tag", t);
    else if (key === "uploaded_by") {
      if (value !== null && value !== undefined) params.set(key, value);
    } else if (value) params.set(key, value);
  }
  if (sort && query.sort && query.sort !== "newest") params.set("sort", query.sort);
  if (paging) {
    if (query.page > 1) params.set("page", query.page);
    params.set("page_size", query.page_size);
  }
  return params;
}

export function activeFilterCount(query) {
  return FILTER_KEYS.filter((k) => (k === "tag" ? query.tag.length : k === "uploaded_by" ? query.uploaded_by !== null : !!query[k])).length;
}

// One page of items and the facet counts, fetched together.
export async function librarySearch(query, { facets = "" } = {}) {
  const listParams = queryParams(query);
  const facetParams = queryParams(query, { paging: false, sort: false });
  if (facets) facetParams.set("facet", facets);
  // One after the other: the counts are cheap next to the page, and a test server sharing
  // one SQLite connection between its threads must not get both at once.
  const page = await api.get(`media/?${listParams}`);
  const counts = await api.get(`media/facets?${facetParams}`);
  return { page, counts };
}

function monthRange(value) {
  const [year, month] = value.split("-").map(Number);
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return [`${value}-01`, `${value}-${String(last).padStart(2, "0")}`];
}

function monthLabel(value) {
  const [year, month] = value.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, 15)).toLocaleDateString(undefined, { year: "numeric", month: "long" });
}

function option({ label, count, pressed, onclick, facet, value }) {
  return h(
    "li",
    {},
    h(
      "button",
      { type: "button", class: `facet-option${pressed ? " on" : ""}`, "aria-pressed": pressed ? "true" : "false", disabled: !count && !pressed, onclick, dataset: { facet, value } },
      h("span", { class: "facet-label", text: label }),
      h("span", { class: "facet-count", text: String(count) }),
    ),
  );
}

function group(title, items, name) {
  if (!items.length) return null;
  return h("div", { class: "facet", dataset: { facetGroup: name } }, h("h3", { class: "facet-title", text: title }), h("ul", { class: "facet-list" }, items));
}

// The facet panel: every value with its count; clicking one narrows (or widens) the query.
// `change(query)` is called with a new query (page back to 1). `only` limits the groups.
export function renderFacets(container, counts, query, change, { only = null } = {}) {
  const show = (name) => !only || only.includes(name) || only.includes(name.replace(/_.*/, ""));
  const set = (patch) => change({ ...query, ...patch, page: 1 });
  const groups = [];
  if (show("kind") && counts.kind)
    groups.push(group("Kind", counts.kind.map((f) => option({ facet: "kind", value: f.value, label: KIND_LABELS[f.value] || f.value, count: f.count, pressed: query.kind === f.value, onclick: () => set({ kind: query.kind === f.value ? "" : f.value }) })), "kind"));
  if (show("status") && counts.status)
    groups.push(group("Status", counts.status.map((f) => option({ facet: "status", value: f.value, label: STATUS_LABELS[f.value] || f.value, count: f.count, pressed: query.status === f.value, onclick: () => set({ status: query.status === f.value ? "" : f.value }) })), "status"));
  if (show("availability") && counts.availability)
    groups.push(group("Availability", counts.availability.map((f) => option({ facet: "availability", value: f.value, label: AVAILABILITY_LABELS[f.value] || f.value, count: f.count, pressed: query.availability === f.value, onclick: () => set({ availability: query.availability === f.value ? "" : f.value }) })), "availability"));
  const checks = [];
  if (show("unused") && counts.unused) checks.push(option({ facet: "unused", value: "true", label: "Unused", count: counts.unused.true, pressed: query.unused === "true", onclick: () => set({ unused: query.unused === "true" ? "" : "true" }) }));
  if (show("missing_alt") && counts.missing_alt) checks.push(option({ facet: "missing_alt", value: "true", label: "Missing alt text", count: counts.missing_alt.true, pressed: query.missing_alt === "true", onclick: () => set({ missing_alt: query.missing_alt === "true" ? "" : "true" }) }));
  if (checks.length) groups.push(group("Needs attention", checks, "attention"));
  if (show("tag") && counts.tag) {
    const chosen = new Set(query.tag.map((t) => t.toLowerCase()));
    const listed = counts.tag.map((f) =>
      option({ facet: "tag", value: f.value, label: f.value, count: f.count, pressed: chosen.has(f.value.toLowerCase()), onclick: () => set({ tag: chosen.has(f.value.toLowerCase()) ? query.tag.filter((t) => t.toLowerCase() !== f.value.toLowerCase()) : [...query.tag, f.value] }) }),
    );
    // A chosen tag that no longer has a count still shows, so it can be cleared.
    for (const t of query.tag) if (!counts.tag.some((f) => f.value.toLowerCase() === t.toLowerCase())) listed.push(option({ facet: "tag", value: t, label: t, count: 0, pressed: true, onclick: () => set({ tag: query.tag.filter((x) => x !== t) }) }));
    groups.push(group("Tags", listed, "tag"));
  }
  if (show("uploaded_by") && counts.uploaded_by)
    groups.push(group("Uploaded by", counts.uploaded_by.map((f) => option({ facet: "uploaded_by", value: f.value, label: f.value || "Imported / system", count: f.count, pressed: query.uploaded_by === f.value, onclick: () => set({ uploaded_by: query.uploaded_by === f.value ? null : f.value }) })), "uploaded_by"));
  if (show("month") && counts.month) {
    const months = counts.month.map((f) => {
      const [after, before] = monthRange(f.value);
      const pressed = query.uploaded_after === after && query.uploaded_before === before;
      return option({ facet: "month", value: f.value, label: monthLabel(f.value), count: f.count, pressed, onclick: () => set(pressed ? { uploaded_after: "", uploaded_before: "" } : { uploaded_after: after, uploaded_before: before }) });
    });
    const custom = query.uploaded_after || query.uploaded_before;
    if (custom && !counts.month.some((f) => monthRange(f.value)[0] === query.uploaded_after && monthRange(f.value)[1] === query.uploaded_before))
      months.push(option({ facet: "month", value: "custom", label: `${query.uploaded_after || "…"} – ${query.uploaded_before || "…"}`, count: counts.total, pressed: true, onclick: () => set({ uploaded_after: "", uploaded_before: "" }) }));
    groups.push(group("Uploaded", months, "month"));
  }
  // The clicked option is replaced by its re-rendered self: keep the focus on it (or, when
  // it is gone, on the panel's first usable option), never on <body>.
  const active = document.activeElement;
  const kept = active && container.contains(active) && active.dataset.facet ? { facet: active.dataset.facet, value: active.dataset.value } : null;
  container.replaceChildren(...groups.filter(Boolean));
  if (kept) {
    const same = [...container.querySelectorAll(".facet-option")].find((b) => b.dataset.facet === kept.facet && b.dataset.value === kept.value && !b.disabled);
    const target = same || container.querySelector(".facet-option:not([disabled])");
    if (target) target.focus();
  }
}

export function formatBytes(size) {
  if (size == null) return "";
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KB`;
  return `${(size / 1024 / 1024).toFixed(1)} MB`;
}

// A document's first page (PDF) stands in for a thumbnail.
export function previewUrl(item, apiBase) {
  if (item && item.kind === "document" && item.mime_type === "application/pdf") return `${apiBase}media/${item.id}/preview?v=${item.file_version || 1}`;
  return null;
}
