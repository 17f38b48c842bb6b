// The workspace page's state and change notifications (one source of truth for the modules).
import { config } from "./api.js";

const params = new URLSearchParams(window.location.search);

export const state = {
  channel: params.get("channel") || "omnichannel",
  locale: params.get("locale") || "neutral",
  entity: null, // {type: "product", number} | {type: "category", id}
  product: null, // the product detail (dimensions, variants)
  doc: null, // the assignment document as the API answers it
  content: null, // the holder's working copy as edited here (may be ahead of the server)
  dirty: false, // local edits the server has not accepted yet
  saving: false,
  fieldErrors: [], // [{field, reason}] from the last refused write
  notice: null, // lines of a warning about the last action (a restore that left entries out)
  tab: "master",
  openScope: { dimensions: null, variants: null }, // the cell or variant opened in a tab
  previewing: false,
  busy: false,
};

const listeners = new Set();

export function subscribe(listener) {
  listeners.add(listener);
}

export function emit() {
  for (const listener of listeners) listener(state);
}

export function remember() {
  const url = new URL(window.location.href);
  url.searchParams.set("channel", state.channel);
  url.searchParams.set("locale", state.locale);
  url.searchParams.delete("product");
  url.searchParams.delete("category");
  if (state.entity && state.entity.type === "product") url.searchParams.set("product", state.entity.number);
  if (state.entity && state.entity.type === "category") url.searchParams.set("category", state.entity.id);
  // The product page path (/workspace/t/products/N/) goes back to the plain workspace path.
  window.history.replaceState(null, "", config.workspace_url + url.search);
}

export const initialEntity = () => {
  if (params.get("product")) return { type: "product", number: params.get("product") };
  if (params.get("category")) return { type: "category", id: Number(params.get("category")) };
  if (config.initial_product) return { type: "product", number: config.initial_product };
  return null;
};
