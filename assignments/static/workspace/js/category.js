// Category media: one default image per category in a real (non-Omnichannel) channel.
import { api, config, errorMessages } from "./api.js";
import { $, captureFocus, focusFirst, focusLost, h, hideAlert, restoreFocus, showAlert } from "./dom.js";
import { mediaGet, mediaLabel, mediaLoad, mediaThumb } from "./media.js";
import { openPicker } from "./picker.js";
import { availabilityNote, publishCategory } from "./publish.js";
import { state, subscribe } from "./store.js";

const view = $("#category-view");
const error = $("#category-error");
let category = null; // {id, name, path, channel}
let assignment = null; // the category media view from the API
let editing = false;
let busy = false;
let pendingFocus = null; // a control rebuilt while disabled (busy) gets the focus back after

const buttons = Object.fromEntries([...view.querySelectorAll("[data-cat-action]")].map((b) => [b.dataset.catAction, b]));

async function put(mediaId) {
  busy = true;
  render();
  try {
    assignment = await api.put(`categories/${category.id}/media`, { media: mediaId }, { channel: category.channel }).then((r) => r.data);
    hideAlert(error);
  } catch (err) {
    showAlert(error, errorMessages(err));
  } finally {
    busy = false;
    render();
  }
}

buttons.edit.addEventListener("click", () => {
  editing = true;
  render();
  focusFirst($("#category-media button"), buttons.done);
});
buttons.done.addEventListener("click", () => {
  editing = false;
  render();
  focusFirst(buttons.publish, buttons.edit);
});
buttons.publish.addEventListener("click", async () => {
  busy = true;
  render();
  try {
    const result = await publishCategory(category.id, category.channel);
    if (result) {
      assignment = await api.get(`categories/${category.id}/media`, { channel: category.channel });
      const expired = (result.data && result.data.expired) || [];
      const done = `Published the default image of ${category.path} in ${category.channel}.`;
      if (expired.length) showAlert(error, [done, ...expired.map((d) => `${d.display_name}: ${availabilityNote(d)}.`)], "warning");
      else showAlert(error, done, "success");
    }
  } catch (err) {
    showAlert(error, errorMessages(err));
  } finally {
    busy = false;
    render();
  }
});

function tile(id, label) {
  const item = mediaGet(id);
  return h("figure", { class: "category-tile" }, mediaThumb(item, { size: "lg" }), h("figcaption", {}, h("strong", { text: label }), h("span", { class: "small muted", text: mediaLabel(item, id) })));
}

function render() {
  const show = state.entity && state.entity.type === "category" && !!category;
  view.hidden = !show;
  if (!show) return;
  $("#category-title").textContent = category.name;
  $("#category-path").textContent = `${category.path} · ${category.channel}`;
  const draft = assignment ? assignment.draft : null;
  const published = assignment ? assignment.published : null;
  const stateBadge = $("#category-state");
  const pending = draft !== published;
  stateBadge.textContent = draft === null && published === null ? "No image" : pending ? "Draft (not published)" : "Published";
  stateBadge.className = `badge badge-${pending ? "draft" : published ? "published" : "empty"}`;
  buttons.edit.hidden = editing;
  buttons.done.hidden = !editing;
  buttons.edit.disabled = busy || !config.can.edit;
  buttons.done.disabled = busy;
  buttons.publish.disabled = busy || editing || !config.can.publish || !pending;
  const box = $("#category-media");
  const focused = captureFocus(box) || (focusLost() ? pendingFocus : null);
  box.replaceChildren();
  if (draft) box.append(tile(draft, pending ? "Default image (draft)" : "Default image"));
  if (published && pending) box.append(tile(published, "Published now"));
  if (!draft && !published) box.append(h("p", { class: "empty", text: "No default image yet." }));
  if (editing) {
    box.append(h("div", { class: "category-actions" },
      h("button", { type: "button", class: "btn btn-primary", "data-focus-key": "category-add", disabled: busy, onclick: async () => {
        const ids = await openPicker({ multiple: false, kind: "image" });
        if (ids && ids.length) put(ids[0]);
      } }, draft ? "Replace image" : "Add media"),
      draft ? h("button", { type: "button", class: "btn btn-danger-outline", "data-focus-key": "category-remove", "data-focus-alt": "category-add", disabled: busy, onclick: () => put(null) }, "Remove") : null));
  }
  pendingFocus = focused && !restoreFocus(box, focused) ? focused : null;
}

export async function loadCategory(found) {
  category = found;
  editing = false;
  hideAlert(error);
  try {
    assignment = await api.get(`categories/${found.id}/media`, { channel: found.channel });
    const ids = [assignment.draft, assignment.published].filter(Boolean);
    await Promise.all(ids.map(mediaLoad));
  } catch (err) {
    assignment = null;
    showAlert(error, errorMessages(err));
  }
  render();
}

export function clearCategory() {
  category = null;
  assignment = null;
  render();
}

subscribe(render);
