// Bulk actions on the library's selection (POST media/bulk): all or nothing. A refusal
// lists every refused item with its reason; unpublishing items that published content
// shows asks first and can then go ahead (force).
import { api, ApiError, errorMessages } from "./api.js";
import { $, confirmDialog, focusFirst, focusLost, h, hideAlert, showAlert } from "./dom.js";

const PARAMS = {
  tags_add: { label: "Tags (comma-separated)", field: "tags" },
  tags_remove: { label: "Tags (comma-separated)", field: "tags" },
  alt_text: { label: "Alt text", field: "alt_text" },
  title: { label: "Title pattern", field: "title_pattern", hint: "Use {title} for the current title, {name} for the file name and {n} for 1, 2, 3… in the selection." },
};
const VERBS = { tags_add: "Add tags to", tags_remove: "Remove tags from", alt_text: "Set the alt text of", title: "Retitle", publish: "Publish", unpublish: "Unpublish", delete: "Delete" };

function refusalLines(err) {
  const lines = errorMessages(err);
  for (const item of (err.body && err.body.items) || []) {
    lines.push(`${item.name || `Item ${item.id}`}: ${item.reason}`);
  }
  return lines;
}

export function initBulk({ selectedIds, clearSelection, reload }) {
  const actionSelect = $("#lib-bulk-action");
  if (!actionSelect) return; // viewers have no bulk actions
  const apply = $("#lib-bulk-apply");
  const paramBox = $("#lib-bulk-param");
  const value = $("#lib-bulk-value");
  const hint = $("#lib-bulk-hint");
  const alertBox = $("#lib-error");

  function refresh() {
    const action = actionSelect.value;
    const param = PARAMS[action];
    const count = selectedIds().length;
    actionSelect.disabled = count === 0;
    paramBox.hidden = !param;
    if (param) $("#lib-bulk-param-label").textContent = param.label;
    hint.hidden = !(param && param.hint);
    hint.textContent = param && param.hint ? param.hint : "";
    apply.disabled = count === 0 || !action;
  }

  async function run(action, ids, extra = {}) {
    const param = PARAMS[action];
    const body = { action, ids, ...extra };
    if (param) {
      const raw = value.value;
      body[param.field] = param.field === "tags" ? raw.split(",").map((t) => t.trim()).filter(Boolean) : raw;
    }
    apply.disabled = true;
    try {
      const { data } = await api.post("media/bulk", body);
      const done = `${VERBS[action]} ${data.count} item${data.count === 1 ? "" : "s"}: done.`;
      if (action === "delete") clearSelection(ids);
      value.value = "";
      await reload();
      showAlert(alertBox, done, "success");
    } catch (err) {
      if (err instanceof ApiError && action === "unpublish" && err.status === 409 && !extra.force) {
        const used = ((err.body && err.body.items) || []).filter((i) => i.field === "force");
        if (used.length) {
          const ok = await confirmDialog({
            title: "Shown by published content",
            body: [
              "These items are shown by published content. Unpublishing removes them from those shop answers at once:",
              h("ul", {}, used.map((i) => h("li", { text: `${i.name}: ${i.reason}` }))),
            ],
            ok: "Unpublish anyway",
            danger: true,
          });
          if (ok) return run(action, ids, { force: true });
        }
      }
      showAlert(alertBox, refusalLines(err));
    } finally {
      refresh();
      // Apply disabled itself while the action ran, so the focus fell to the page: back on
      // Apply when it still applies, else (a delete emptied the selection) the next control.
      if (focusLost()) focusFirst(apply, actionSelect, $("#lib-select-all"), $("#lib-q"));
    }
  }

  actionSelect.addEventListener("change", refresh);
  document.addEventListener("library:selection", refresh);
  apply.addEventListener("click", async () => {
    const action = actionSelect.value;
    const ids = selectedIds();
    if (!action || !ids.length) return;
    hideAlert(alertBox);
    if (PARAMS[action] && !value.value.trim() && action !== "alt_text") {
      showAlert(alertBox, `Enter the ${PARAMS[action].label.toLowerCase()} first.`);
      value.focus();
      return;
    }
    if (["publish", "unpublish", "delete"].includes(action)) {
      const ok = await confirmDialog({
        title: `${VERBS[action]} ${ids.length} item${ids.length === 1 ? "" : "s"}?`,
        body: action === "delete" ? "Items that assignments still use are not deleted; then nothing is deleted and you are told which." : "All selected items change together, or none does.",
        ok: VERBS[action],
        danger: action === "delete",
      });
      if (!ok) return;
    }
    run(action, ids);
  });
  refresh();
}
