// The JSON API client every page module uses: session auth, CSRF header, errors in words.

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

// Words for the user: the detail plus each field's reason (field paths made readable).
export function errorMessages(err) {
  if (!(err instanceof ApiError)) return [String(err && err.message ? err.message : err)];
  const lines = [];
  const reasons = err.errors.filter((e) => e && e.reason && e.reason !== err.message);
  if (err.message && (reasons.length === 0 || err.message !== "Validation failed.")) lines.push(err.message);
  else if (reasons.length) lines.push("Some entries were not accepted:");
  for (const e of reasons) lines.push(e.field ? `${readableField(e.field)}: ${e.reason}` : e.reason);
  return lines;
}

export function readableField(field) {
  return String(field)
    .replace(/^master\./, "Master › ")
    .replace(/^dimensions\[(\d+)\]\.?/, (_, i) => `Dimension row ${Number(i) + 1} › `)
    .replace(/^variants\[(\d+)\]\.?/, (_, i) => `Variant row ${Number(i) + 1} › `)
    .replace(/primary\[(\d+)\]/, (_, i) => `primary media #${Number(i) + 1}`)
    .replace(/additional\[(\d+)\]/, (_, i) => `additional media #${Number(i) + 1}`)
    .replace(/swatches\[(\d+)\]/, (_, i) => `swatch #${Number(i) + 1}`);
}
