// "My open check-outs": the documents this user is editing, across products and contexts
// (the server's list), each a link that opens it in its channel and locale. Refreshed when
// the open document's check-out changes.
import { api, config, errorMessages } from "./api.js";
import { $, formatDate, h } from "./dom.js";
import { state, subscribe } from "./store.js";

const list = $("#my-checkouts");
let lastKey = null;

function link(row) {
  const query = new URLSearchParams({ product: row.product, channel: row.channel, locale: row.locale });
  return `${config.workspace_url}?${query}`;
}

export async function loadCheckouts() {
  if (!list) return;
  try {
    const rows = await api.get("me/checkouts");
    list.replaceChildren(...rows.map((row) => h("li", { dataset: { checkout: `${row.product}|${row.channel}|${row.locale}` } },
      h("a", { class: "result", href: link(row) },
        h("span", { class: "result-title", text: `${row.name} (${row.product})` }),
        h("span", { class: "result-kind", text: `${row.channel} / ${row.locale} · since ${formatDate(row.checked_out_at)}${row.expired ? " · lapsed: others may take it over" : ""}` })))));
    if (!rows.length) list.append(h("li", { class: "muted empty", text: "You are not editing anything." }));
  } catch (err) {
    list.replaceChildren(h("li", { class: "error-text", text: errorMessages(err).join(" ") }));
  }
}

subscribe(() => {
  const doc = state.doc;
  const key = doc ? `${doc.product}|${doc.channel}|${doc.locale}|${doc.checked_out_by || ""}` : "";
  if (key === lastKey) return;
  lastKey = key;
  loadCheckouts();
});
loadCheckouts();
