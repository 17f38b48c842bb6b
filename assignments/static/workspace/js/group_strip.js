// The product page's publish groups (issue 15): which groups hold this product, and for
// publishers "Add to group" / "Remove" (a product joins a group only when someone adds it).
// When the user works "in" a group (chosen on the publish groups page), that group is the
// one offered first. Membership and every rule stay on the server (publish-groups API).
import { api, config, errorMessages, listAll } from "./api.js";
import { $, h } from "./dom.js";
import { workingGroupGet } from "./group_working.js";
import { state, subscribe } from "./store.js";

const strip = h("section", { class: "group-strip", id: "group-strip", "aria-label": "Publish groups", hidden: true });
$("#editor").before(strip);

let shownFor = null;
let seq = 0;
let message = null;

const ACTIVE = new Set(["open", "scheduled", "failed", "published"]);

async function load() {
  const number = state.entity && state.entity.type === "product" ? state.entity.number : null;
  const mine = ++seq;
  if (!number) {
    strip.hidden = true;
    return;
  }
  try {
    const [holding, all] = await Promise.all([
      listAll("publish-groups/", { product: number }),
      config.can.publish ? listAll("publish-groups/") : Promise.resolve([]),
    ]);
    if (mine !== seq) return;
    render(number, holding, all);
  } catch (err) {
    if (mine !== seq) return;
    strip.replaceChildren(h("p", { class: "error-text small", text: errorMessages(err).join(" ") }));
    strip.hidden = false;
  }
}

async function change(group, action, number) {
  try {
    await api.post(`publish-groups/${group.id}/${action}`, { products: [number] });
    message = action === "add" ? `Added ${number} to “${group.name}”.` : `Removed ${number} from “${group.name}”.`;
  } catch (err) {
    message = errorMessages(err).join(" ");
  }
  load();
}

function render(number, holding, all) {
  const inIds = new Set(holding.map((g) => g.id));
  const chips = holding.map((g) =>
    h("li", { class: "group-chip" },
      h("a", { href: `${config.groups_url}#group-${g.id}`, text: g.name }),
      h("span", { class: "muted small", text: ` · ${g.status_label}` }),
      config.can.publish && g.status !== "running"
        ? h("button", { type: "button", class: "btn btn-link btn-small", "aria-label": `Remove ${number} from ${g.name}`, onclick: () => change(g, "remove", number), text: "Remove" })
        : null));
  const candidates = all.filter((g) => !inIds.has(g.id) && g.status !== "running" && ACTIVE.has(g.status));
  const working = workingGroupGet();
  let adder = null;
  if (config.can.publish && candidates.length) {
    const select = h("select", { id: "group-add-select" }, candidates.map((g) => h("option", { value: g.id, selected: working && working.id === g.id ? true : false, text: `${g.name} — ${g.status_label}` })));
    adder = h("span", { class: "group-add" },
      h("label", { for: "group-add-select", text: "Add to group " }),
      select,
      h("button", { type: "button", class: "btn btn-small", id: "group-add", onclick: () => change(candidates.find((g) => String(g.id) === select.value), "add", number), text: "Add" }));
  }
  const workingNote = working ? h("span", { class: "muted small", text: ` Working in “${working.name}”.` }) : null;
  const parts = [
    h("span", { class: "group-strip-title", text: "Publish groups: " }),
    holding.length ? h("ul", { class: "group-chips" }, chips) : h("span", { class: "muted small", text: "Not in any publish group. " }),
    adder,
    workingNote,
    message ? h("p", { class: "small", role: "status", text: message }) : null,
  ];
  strip.replaceChildren(...parts.filter(Boolean));
  strip.hidden = false;
}

subscribe(() => {
  const number = state.entity && state.entity.type === "product" && state.product ? state.entity.number : null;
  if (number === shownFor) return;
  shownFor = number;
  message = null;
  load();
});
