// The search on the left: products by name, number or variant number (matched on the
// server), and the categories of the selected channel (marked "Category"); selecting one
// opens it on the right, a product found by a variant number on that variant.
import { api, errorMessages, listAll } from "./api.js";
import { $, h } from "./dom.js";
import { emit, state } from "./store.js";

const input = $("#search-q");
const results = $("#search-results");
const hint = $("#search-hint");
let categories = { channel: null, items: [] };
let seq = 0;
let onSelect = () => {};

async function categoriesFor(channel) {
  if (channel === "omnichannel") return [];
  if (categories.channel !== channel) categories = { channel, items: await listAll("categories/", { channel }) };
  return categories.items;
}

function item({ key, title, subtitle, kind, onclick }) {
  const active = state.entity && `${state.entity.type}:${state.entity.number || state.entity.id}` === key;
  return h("li", {}, h("button", { type: "button", class: `result${active ? " active" : ""}`, "aria-current": active ? "true" : false, dataset: { key }, onclick },
    h("span", { class: "result-title", text: title }),
    h("span", { class: `result-kind kind-${kind}`, text: subtitle })));
}

export async function runSearch() {
  const mine = ++seq;
  const q = input.value.trim();
  hint.textContent = state.channel === "omnichannel" ? "Products by name, number or variant number. Pick a channel other than Omnichannel to find categories." : "Products by name, number or variant number, and categories of this channel.";
  try {
    const [products, cats] = await Promise.all([api.get("products/", { q, page_size: 25 }), categoriesFor(state.channel)]);
    if (mine !== seq) return;
    const needle = q.toLowerCase();
    const matching = cats.filter((c) => !needle || c.name.toLowerCase().includes(needle) || c.path.toLowerCase().includes(needle));
    results.replaceChildren();
    for (const p of products.results) {
      const kindText = p.kind === "master" ? "Product master" : "Product";
      const subtitle = p.matched_variant ? `${p.number} · variant ${p.matched_variant}` : `${p.number} · ${kindText}`;
      results.append(item({ key: `product:${p.number}`, title: p.name, subtitle, kind: "product", onclick: () => openProduct(p.number, p.matched_variant) }));
    }
    for (const c of matching) {
      results.append(item({ key: `category:${c.id}`, title: c.name, subtitle: `Category · ${c.path}`, kind: "category", onclick: () => onSelect({ type: "category", id: c.id, category: c }) }));
    }
    if (!results.children.length) results.append(h("li", { class: "muted empty", text: q ? `Nothing matches “${q}”.` : "Nothing here yet." }));
  } catch (err) {
    if (mine === seq) results.replaceChildren(h("li", { class: "error-text", text: errorMessages(err).join(" ") }));
  }
}

async function openProduct(number, variant) {
  await onSelect({ type: "product", number });
  if (variant && state.entity && state.entity.number === number && state.product) {
    state.tab = "variants";
    state.openScope.variants = variant;
    emit();
  }
}

export async function categoryFind(id) {
  const cats = await categoriesFor(state.channel);
  return cats.find((c) => c.id === id) || null;
}

export function initSearch(select) {
  onSelect = select;
  let debounce = null;
  input.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(runSearch, 250);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      clearTimeout(debounce);
      runSearch();
    }
  });
  runSearch();
}

export function markActive() {
  for (const button of results.querySelectorAll("button.result")) {
    const active = state.entity && `${state.entity.type}:${state.entity.number || state.entity.id}` === button.dataset.key;
    button.classList.toggle("active", !!active);
    if (active) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
}
