// The assignment document of the selected product: load it, edit the working copy (every
// change is written with PUT .../media/working), and the check-out actions. The server
// decides what is valid; a refused write keeps the user's edits here and says why.
import { api, ApiError, config, errorMessages } from "./api.js";
import { clone, normalise, prune } from "./content.js";
import { confirmDialog, h } from "./dom.js";
import { mediaEnsure } from "./media.js";
import { emit, state } from "./store.js";

const docPath = () => `products/${encodeURIComponent(state.entity.number)}/media`;
export const contextQuery = () => ({ channel: state.channel, locale: state.locale });

export const isHolder = () => !!state.doc && state.doc.checked_out_by === config.username;
export const heldByOther = () => !!state.doc && !!state.doc.checked_out_by && !isHolder();
export const editable = () => isHolder() && config.can.edit;

// What the page shows: the holder's working copy, else the staged draft, else the published.
export function shownContent() {
  if (editable()) return state.content;
  const doc = state.doc;
  if (!doc) return normalise(null);
  return normalise(doc.draft || doc.published);
}

// What a scope shows after fallback, as the server resolved it for this user (R9-R11):
// {default_image, primary, additional, swatches, provenance: {slot: {label, ...} | null}}.
export function effectiveOf(scope) {
  const eff = state.doc && state.doc.effective;
  if (!eff) return null;
  if (scope.kind === "master") return eff.master;
  if (scope.kind === "dimension") {
    const key = JSON.stringify(Object.entries(scope.values).sort());
    return eff.dimensions.find((r) => JSON.stringify(Object.entries(r.values).sort()) === key) || null;
  }
  return eff.variants.find((r) => r.variant === scope.variant) || null;
}

function effectiveIds(doc) {
  const eff = doc && doc.effective;
  if (!eff) return [];
  const ids = [];
  for (const s of [eff.master, ...eff.dimensions, ...eff.variants]) {
    ids.push(...s.primary, ...Object.values(s.additional || {}).flat());
    for (const sw of s.swatches) if (sw.media) ids.push(sw.media);
  }
  return ids;
}

const shownIds = () => [...mediaIdsOf(shownContent()), ...effectiveIds(state.doc)];

export function mediaIdsOf(content) {
  const ids = [];
  const slots = [content.master, ...content.dimensions, ...content.variants];
  for (const s of slots) {
    ids.push(...s.primary, ...s.additional.map((a) => a.media));
    for (const sw of s.swatches) if (sw.media) ids.push(sw.media);
  }
  return ids;
}

function adopt(doc) {
  state.doc = doc;
  state.content = doc.working ? normalise(doc.working) : null;
  state.dirty = false;
  state.fieldErrors = [];
}

export function setError(err) {
  state.error = err ? errorMessages(err) : null;
  state.fieldErrors = err instanceof ApiError ? err.errors : [];
  emit();
}

export async function loadDocument() {
  const number = state.entity.number;
  const [product, doc] = await Promise.all([
    api.get(`products/${encodeURIComponent(number)}/`),
    api.get(docPath(), contextQuery()),
  ]);
  if (!state.entity || state.entity.number !== number) return;
  state.product = product;
  adopt(doc);
  state.error = null;
  await mediaEnsure(shownIds());
  emit();
}

async function act(action, run) {
  state.busy = true;
  state.error = null;
  state.notice = null;
  emit();
  try {
    const result = await run();
    if (result && result.data && result.data.product) adopt(result.data);
    await mediaEnsure(shownIds());
    return true;
  } catch (err) {
    setError(err);
    return false;
  } finally {
    state.busy = false;
    emit();
  }
}

export const checkout = () => act("checkout", () => api.post(`${docPath()}/checkout`, {}, contextQuery()));

// Restore a checked-in version as the working copy (the server checks the document out to
// this user if needed, R12); it is checked in like any edit. Entries whose media item was
// deleted since cannot come back (R26): the answer's `missing` lists them, and the page says
// which, in words.
export async function restoreVersion(number) {
  let missing = [];
  const done = await act("restore", async () => {
    const result = await api.post(`${docPath()}/versions/${number}/restore`, {}, contextQuery());
    missing = (result.data && result.data.missing) || [];
    return result;
  });
  if (done && missing.length) {
    state.notice = missingNotice(number, missing);
    emit();
  }
  return done;
}

const SLOT_WORDS = { primary: "primary media", additional: "additional media", swatch: "swatch", swatches: "swatch" };

function entityWords(entry) {
  if (entry.scope === "master") return "Master";
  if (entry.scope === "variant") return `Variant ${entry.entity}`;
  // A dimension combination's key, "color=Red|style=Classic": "color: Red, style: Classic".
  const values = String(entry.entity || "").split("|").filter(Boolean).map((pair) => pair.replace("=", ": "));
  return values.length ? values.join(", ") : "Dimension combination";
}

export function missingNotice(number, missing) {
  const n = missing.length;
  return [
    `Version ${number} is restored, but ${n === 1 ? "1 entry" : `${n} entries`} could not be restored because ${n === 1 ? "its media item was" : "their media items were"} deleted:`,
    ...missing.map((m) => `${entityWords(m)} › ${SLOT_WORDS[m.slot] || m.slot} #${Number(m.position) + 1}: media item ${m.media} (deleted)`),
  ];
}

export async function checkin() {
  if (state.dirty && !(await save())) return false;
  return act("checkin", () => api.post(`${docPath()}/checkin`, {}, contextQuery()));
}

export async function discard() {
  const whose = heldByOther() ? `${state.doc.checked_out_by}'s edits` : "your edits";
  const ok = await confirmDialog({
    title: "Discard edits?",
    body: `This throws away ${whose} since the last check-in of ${state.entity.number} in ${state.channel}/${state.locale}.`,
    ok: "Discard edits",
    danger: true,
  });
  if (!ok) return false;
  return act("discard", () => api.post(`${docPath()}/discard`, {}, contextQuery()));
}

export async function reset() {
  const omni = state.channel === "omnichannel" && state.locale === "neutral";
  const ok = await confirmDialog({
    title: "Reset to default?",
    body: omni
      ? `This clears every media assignment of ${state.entity.number} (master, dimensions and variants) in Omnichannel / Neutral.`
      : `This clears every media assignment of ${state.entity.number} in ${state.channel} / ${state.locale}, so it falls back to the default assignments again once published.`,
    ok: "Reset to default",
    danger: true,
  });
  if (!ok) return false;
  return act("reset", () => api.post(`${docPath()}/reset`, {}, contextQuery()));
}

// Edits are applied here first, then written; writes run one after another.
let seq = 0;
let chain = Promise.resolve(true);

export function edit(mutate) {
  if (!editable()) return Promise.resolve(false);
  const next = clone(state.content);
  mutate(next);
  state.content = prune(next);
  state.dirty = true;
  seq += 1;
  emit();
  return save();
}

export function save(extra = {}) {
  chain = chain.then(() => write(extra));
  return chain;
}

async function write(extra) {
  if (!state.dirty || !editable()) return true;
  const sent = seq;
  const number = state.entity.number;
  state.saving = true;
  emit();
  try {
    const { data } = await api.put(`${docPath()}/working`, { ...state.content, ...extra }, contextQuery());
    if (!state.entity || state.entity.number !== number) return true;
    state.doc = data;
    if (sent === seq) {
      state.content = normalise(data.working);
      state.dirty = false;
    }
    state.error = null;
    state.fieldErrors = [];
    await mediaEnsure([...mediaIdsOf(state.content), ...effectiveIds(data)]);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 409 && err.body.matrix) return matrixConfirm(err);
    setError(err); // the edits stay in state.content; "Retry save" sends them again
    return false;
  } finally {
    state.saving = false;
    emit();
  }
}

// Changing the matrix drops the rows of the old one: ask before the server does it. The
// question is put in the page's words from the refusal's facts (the API's own message names
// the request flag, which means nothing to the user).
async function matrixConfirm(err) {
  const dropped = err.body.dropped || [];
  const change = err.body.matrix || {};
  const dims = (list) => (list && list.length ? list.join(" × ") : "none");
  const rows = dropped.map((values) =>
    h("li", { text: Object.entries(values).map(([d, v]) => `${d}: ${v}`).join(", ") }),
  );
  const ok = await confirmDialog({
    title: "Change the assignment matrix?",
    body: [
      h("p", { text: `The assignment matrix changes from ${dims(change.from)} to ${dims(change.to)}.` }),
      h("p", { text: dropped.length === 1 ? "This dimension assignment and its media will be removed:" : `These ${dropped.length} dimension assignments and their media will be removed:` }),
      h("ul", { class: "dropped" }, rows),
    ],
    ok: "Change matrix anyway",
    danger: true,
  });
  if (!ok) {
    state.content = normalise(state.doc.working); // back to what the server holds
    state.dirty = false;
    state.error = null;
    emit();
    return false;
  }
  return write({ confirm_matrix_change: true });
}
