// The JSON API client every page module uses: session auth, CSRF header, errors in words.
import { formatDate } from "./dom.js";

export const config = JSON.parse(document.getElementById("ws-config").textContent);

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `The server answered ${status}.`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.code || null;
    this.errors = Array.isArray(this.body.errors) ? this.body.errors : [];
  }
}

function url(path, query) {
  const full = new URL(path.startsWith("/") ? path : config.api + path, window.location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") full.searchParams.set(key, value);
  }
  return full.toString();
}

export async function request(method, path, { query, body, form } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  if (form) {
    init.body = form;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url(path, query), init);
  } catch (err) {
    throw new ApiError(0, { detail: "The server could not be reached. Check your connection and try again." });
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      data = { detail: `The server answered ${response.status} without a readable message.` };
    }
  }
  if (response.status === 401 || response.status === 403) {
    if (!data || !data.detail) data = { detail: "You are not allowed to do this. Log in again or ask an administrator." };
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return { status: response.status, data };
}

export const api = {
  get: (path, query) => request("GET", path, { query }).then((r) => r.data),
  post: (path, body, query) => request("POST", path, { body: body || {}, query }),
  put: (path, body, query) => request("PUT", path, { body, query }),
  upload: (path, form) => request("POST", path, { form }),
};

// All pages of a paginated list (the library and categories are small per tenant).
export async function listAll(path, query) {
  let page = await api.get(path, { page_size: 200, ...query });
  if (Array.isArray(page)) return page;
  const items = [...page.results];
  while (page.next) {
    page = await api.get(page.next);
    items.push(...page.results);
  }
  return items;
}

// Words for the user: the detail plus each field's reason, fields named by the labels the
// page shows (never the API's names) and times in the user's locale. `labels` names the
// fields of the form that sent the request ({code: "Code"}), ahead of the shared labels.
export function errorMessages(err, labels = {}) {
  if (!(err instanceof ApiError)) return [String(err && err.message ? err.message : err)];
  const lines = [];
  const reasons = err.errors.filter((e) => e && e.reason && e.reason !== err.message);
  // A refused serializer sums itself up as "<api field>: <first reason>": that repeats the
  // first reason under the API's name, so the reasons (with the labels) say it instead.
  const first = reasons[0];
  const summaryRepeats = !!first && !!first.field && err.message === `${first.field}: ${first.reason}`;
  if (summaryRepeats) {
    if (reasons.length > 1) lines.push("Some entries were not accepted:");
  } else if (err.message && (reasons.length === 0 || err.message !== "Validation failed.")) lines.push(err.message);
  else if (reasons.length) lines.push("Some entries were not accepted:");
  for (const e of reasons) lines.push(fieldReason(e.field, e.reason, labels));
  return lines.map(localTimes);
}

// "alt_text" + "Alt text is required for images." says it once; other reasons get the label.
export function fieldReason(field, reason, labels = {}) {
  if (!field) return reason;
  const label = readableField(field, labels);
  return reason.toLowerCase().startsWith(label.toLowerCase()) ? reason : `${label}: ${reason}`;
}

// The API's field names, as the page labels them.
const FIELD_LABELS = {
  master: "Master",
  primary: "primary media",
  additional: "additional media",
  swatches: "swatches",
  title: "Title",
  alt_text: "Alt text",
  caption: "Caption",
  description: "Description",
  display_name: "File name",
  file: "File",
  kind: "Kind",
  tags: "Tags",
  available_from: "Available from",
  expires_at: "Expires",
  purpose: "Purpose",
  media: "Media",
  hex: "Colour",
  crop: "Crop",
  dimension: "Dimension group",
  value: "Dimension",
  values: "Dimension values",
  matrix: "Assignment matrix",
  variant: "Variant",
  channel: "Channel",
  locale: "Locale",
  number: "Number",
  name: "Name",
  parent: "Parent category",
  position: "Position",
  document: "Product media",
  confirm_matrix_change: "Matrix change",
  publish_dependencies: "Unpublished dependencies",
  swatch_hex: "Swatch colour",
  swatch_media: "Swatch image",
};
const ROW_LABELS = { dimensions: "Dimension row", variants: "Variant row", primary: "primary media #", additional: "additional media #", swatches: "swatch #" };

function segmentLabel(segment, labels = {}) {
  const row = segment.match(/^(\w+)\[(\d+)\]$/);
  if (row) {
    const label = ROW_LABELS[row[1]] || labels[row[1]] || FIELD_LABELS[row[1]] || row[1].replaceAll("_", " ");
    return label.endsWith("#") ? `${label}${Number(row[2]) + 1}` : `${label} ${Number(row[2]) + 1}`;
  }
  return labels[segment] || FIELD_LABELS[segment] || segment.replaceAll("_", " ");
}

export function readableField(field, labels = {}) {
  return String(field).split(".").map((segment) => segmentLabel(segment, labels)).join(" › ");
}

// ISO timestamps inside the server's sentences ("checked out by … since 2026-…T…Z").
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g;

export function localTimes(text) {
  return String(text).replace(ISO_TIME, (iso) => formatDate(iso));
}
