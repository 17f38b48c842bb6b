// Live check-outs (issue 15): the page polls the product's state endpoint every few seconds
// with the last ETag (an unchanged state costs a 304), so it learns within seconds when
// someone else checks the document out, checks it in, discards, takes over or publishes.
// The server decides everything (who holds it, whether it expired, who may take it over);
// this module only reloads the document and says what happened, in the user's locale.
//
// When the user loses their own check-out (a publisher discarded or took it over, it was
// taken after expiring), editing stops at once, their unsaved content is kept here, and they
// may reload or copy their changes into a new check-out (check out, then PUT the content:
// the server validates it like any edit).
import { api, ApiError, config, errorMessages } from "./api.js";
import { clone } from "./content.js";
import { contextQuery, heldByOther, isHolder, loadDocument } from "./document.js";
import { $, confirmDialog, h } from "./dom.js";
import { emit, state, subscribe } from "./store.js";

const POLL_MS = 3000;
const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const at = (iso) => (iso ? when.format(new Date(iso)) : "");

let etag = null;
let polledFor = null; // the product number the ETag belongs to
let timer = null;
let polling = false;
let remote = null; // the last state of the current context's document, as the server said
let lost = null; // {message, kept}: the check-out this page held and lost
let notice = null; // the last thing someone else did, in words
let problem = null; // an error of a take-over or copy, in words

const banner = h("div", { id: "live-banner", class: "live-banner", hidden: true });
const announcer = h("div", { id: "live-notice", class: "sr-only", role: "status", "aria-live": "polite" });
$("#product-error").after(banner, announcer);

const docPath = () => `products/${encodeURIComponent(state.entity.number)}/media`;
const me = config.username;
const key = (d) => `${d ? d.checked_out_by : null}|${d ? d.version || null : null}|${d ? d.published_version : null}`;

function who(name) {
  return name === me ? "You" : name || "Someone";
}

// What changed, for someone watching: the holder's change first (the latest event may be a
// later edit of the working copy), else what the latest event did.
function describe(before, doc) {
  const event = doc && doc.last_event;
  const holderBefore = before ? before.checked_out_by : null;
  const holderNow = doc ? doc.checked_out_by : null;
  if (holderNow && holderNow !== holderBefore && !(event && event.action === "takeover")) {
    return holderNow === me ? null : `${holderNow} started editing at ${at(doc.checked_out_at)}.`;
  }
  if (!event || event.by === me || ["edit", "save"].includes(event.action)) return null;
  const by = who(event.by);
  const time = at(event.at);
  switch (event.action) {
    case "checkout":
      return `${by} started editing at ${time}.`;
    case "takeover":
      return `${by} took over ${event.detail.former_holder === me ? "your" : `${event.detail.former_holder}'s`} check-out at ${time}.`;
    case "checkin":
      return `${by} finished editing at ${time}${event.version ? ` (version ${event.version})` : ""}.`;
    case "discard":
      return `${by} discarded ${event.detail.holder === event.by ? "their" : event.detail.holder === me ? "your" : `${event.detail.holder}'s`} edits at ${time}.`;
    case "publish":
      return `${by} published ${event.version ? `version ${event.version}` : "the document"} at ${time}.`;
    case "reset":
      return `${by} reset the assignments to the defaults at ${time}.`;
    default:
      return `${event.label} by ${event.by || "the system"} at ${time}.`;
  }
}

// Why this page's check-out is gone, in plain words.
function lostReason(doc) {
  const event = doc && doc.last_event;
  if (!event) return "Your check-out has ended.";
  const time = at(event.at);
  if (event.action === "takeover") {
    const why = event.detail.reason === "expired" ? " after it had been idle too long" : "";
    return `${who(event.by)} took over your check-out${why} at ${time}. They continue from your last saved working copy; what you changed here since is kept in this page until you reload.`;
  }
  if (event.action === "discard") {
    return event.by === me
      ? `You discarded these edits in another window at ${time}.`
      : `${who(event.by)} discarded your edits at ${time}. Your changes are kept in this page until you reload.`;
  }
  if (event.action === "checkin" && event.by === me) return `You finished editing in another window at ${time}.`;
  if (doc.checked_out_by) return `${who(doc.checked_out_by)} is editing since ${at(doc.checked_out_at)}; your check-out has ended.`;
  return `Your check-out ended at ${time} (${event.label.toLowerCase()}${event.by ? ` by ${event.by}` : ""}).`;
}

async function poll() {
  clearTimeout(timer);
  timer = null;
  const entity = state.entity;
  if (!entity || entity.type !== "product" || !state.doc) return schedule();
  if (document.visibilityState === "hidden") return schedule();
  if (polling) return schedule();
  polling = true;
  const number = entity.number;
  if (polledFor !== number) {
    etag = null;
    polledFor = number;
  }
  try {
    const headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    const response = await fetch(new URL(`${config.api}${docPath()}/state`, window.location.origin), { headers, credentials: "same-origin" });
    if (response.status === 200) {
      const body = await response.json();
      if (state.entity && state.entity.number === number) {
        etag = response.headers.get("ETag");
        await changed(body);
      }
    }
  } catch (err) {
    // A missed poll is retried at the next tick; the page keeps working meanwhile.
  } finally {
    polling = false;
    schedule();
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(poll, POLL_MS);
}

async function changed(body) {
  if (state.busy || state.saving) {
    etag = null; // this page is acting itself: look again when its own request is answered
    return;
  }
  const doc = body.documents.find((d) => d.channel === state.channel && d.locale === state.locale) || null;
  const before = remote;
  remote = doc;
  if (!state.doc || key(doc) === key(state.doc)) {
    render();
    return;
  }
  const wasHolder = isHolder();
  if (wasHolder && (!doc || doc.checked_out_by !== me)) {
    lost = { message: lostReason(doc), kept: state.content ? clone(state.content) : null };
    notice = null;
    await loadDocument();
    announce(lost.message);
    render();
    return;
  }
  if (wasHolder) {
    render(); // my own saves and edits: nothing to tell
    return;
  }
  const previous = state.doc;
  notice = doc ? describe(previous, doc) || notice : before ? "The document was removed." : notice;
  await loadDocument();
  if (notice) announce(notice);
  render();
}

function announce(text) {
  announcer.textContent = text;
}

async function takeOver() {
  const holder = state.doc.checked_out_by;
  const ok = await confirmDialog({
    title: "Take over editing?",
    body: [
      `${holder} has been editing ${state.entity.number} in ${state.channel} / ${state.locale} since ${at(state.doc.checked_out_at)} (last active ${at(state.doc.last_active_at)}).`,
      "You continue from their working copy as they last saved it; they are told on their page. The take-over is recorded in the document's history.",
    ],
    ok: "Take over",
    danger: true,
  });
  if (!ok) return;
  problem = null;
  state.busy = true;
  emit();
  try {
    await api.post(`${docPath()}/checkout`, { take_over: true }, contextQuery());
    notice = `You took over ${holder}'s check-out.`;
  } catch (err) {
    problem = errorMessages(err);
  } finally {
    state.busy = false;
  }
  await loadDocument();
  render();
}

async function copyIntoNewCheckout() {
  const kept = lost && lost.kept;
  problem = null;
  state.busy = true;
  emit();
  try {
    if (!isHolder()) await api.post(`${docPath()}/checkout`, {}, contextQuery());
    if (kept) await api.put(`${docPath()}/working`, { ...kept, confirm_matrix_change: true }, contextQuery());
    lost = null;
    notice = "Your changes are in a new check-out. Check them, then finish editing.";
  } catch (err) {
    problem = err instanceof ApiError ? errorMessages(err) : [String(err)];
  } finally {
    state.busy = false;
  }
  await loadDocument();
  render();
}

async function reload() {
  lost = null;
  problem = null;
  notice = null;
  await loadDocument();
  render();
}

function render() {
  const product = state.entity && state.entity.type === "product" && state.doc;
  banner.replaceChildren();
  if (!product) {
    banner.hidden = true;
    return;
  }
  const parts = [];
  if (lost) {
    parts.push(
      h("div", { class: "alert alert-warning live-lost", role: "alert" },
        h("strong", { text: "You are no longer editing. " }),
        h("span", { text: lost.message }),
        h("div", { class: "live-actions" },
          h("button", { type: "button", class: "btn", onclick: reload, text: "Reload" }),
          lost.kept && config.can.edit
            ? h("button", { type: "button", class: "btn btn-primary", onclick: copyIntoNewCheckout, disabled: heldByOther() ? true : false, title: heldByOther() ? `Being edited by ${state.doc.checked_out_by}: take it over first, if you may.` : "", text: "Copy my changes into a new check-out" })
            : null)));
  }
  if (heldByOther()) {
    const doc = state.doc;
    const canTake = config.can.edit && (config.can.publish || doc.expired);
    const idle = doc.expired ? ` Idle since ${at(doc.last_active_at)}: anyone with edit rights may take it over.` : ` Last active ${at(doc.last_active_at)}.`;
    parts.push(
      h("div", { class: "alert alert-info live-held" },
        h("span", { text: `Checked out by ${doc.checked_out_by} since ${at(doc.checked_out_at)}.${idle}` }),
        canTake ? h("button", { type: "button", class: "btn btn-small", onclick: takeOver, text: "Take over editing" }) : null));
  }
  if (isHolder() && remote && remote.checked_out_by === me && remote.expired) {
    parts.push(
      h("div", { class: "alert alert-warning live-idle", role: "status" },
        h("span", { text: `Your check-out has been idle since ${at(remote.last_active_at)}: anyone with edit rights may now take it over. Save or finish editing to keep your work.` })));
  }
  if (notice && !lost) parts.push(h("p", { class: "muted small live-notice", text: notice }));
  if (problem) parts.push(h("div", { class: "alert alert-error", role: "alert" }, problem.map((line) => h("div", { text: line }))));
  banner.append(...parts);
  banner.hidden = parts.length === 0;
}

// A refused write while this page thinks it holds the document: ask the server now rather
// than at the next tick (the check-out may just have been discarded or taken over).
let lastError = null;
let lastEntity = null;
subscribe(() => {
  const entityKey = state.entity ? `${state.entity.type}:${state.entity.number || state.entity.id}:${state.channel}:${state.locale}` : null;
  if (entityKey !== lastEntity) {
    lastEntity = entityKey;
    lost = null;
    notice = null;
    problem = null;
    remote = null;
  }
  if (state.error && state.error !== lastError && isHolder()) setTimeout(poll, 0);
  lastError = state.error;
  render();
  if (!timer && !polling) schedule();
});

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") poll();
});
schedule();
