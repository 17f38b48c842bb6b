// The workspace page: wires the context picker, the search and the selected entity.
import { errorMessages } from "./api.js";
import { clearCategory, loadCategory } from "./category.js";
import { loadDocument } from "./document.js";
import { $, showAlert } from "./dom.js";
import { closePreview } from "./preview.js";
import "./product.js";
import "./checkout_live.js";
import "./group_strip.js";
import { categoryFind, initSearch, markActive, runSearch } from "./search.js";
import { emit, initialEntity, remember, state } from "./store.js";

const channelSelect = $("#ctx-channel");
const localeSelect = $("#ctx-locale");

async function select(entity) {
  if (state.previewing) closePreview();
  state.entity = entity;
  state.product = null;
  state.doc = null;
  state.content = null;
  state.error = null;
  state.notice = null;
  state.tab = "master";
  state.openScope = { dimensions: null, variants: null };
  remember();
  markActive();
  $("#empty-state").hidden = !!entity;
  if (!entity) {
    clearCategory();
    emit();
    return;
  }
  try {
    if (entity.type === "product") {
      clearCategory();
      await loadDocument();
    } else {
      emit();
      const category = entity.category || (await categoryFind(entity.id));
      if (!category) {
        state.entity = null;
        remember();
        $("#empty-state").hidden = false;
        showAlert($("#product-error"), []);
        clearCategory();
        return;
      }
      await loadCategory(category);
    }
  } catch (err) {
    state.entity = null;
    $("#empty-state").hidden = false;
    $("#empty-state").querySelector("p").textContent = errorMessages(err).join(" ");
    emit();
  }
}

async function contextChanged() {
  state.channel = channelSelect.value;
  state.locale = localeSelect.value;
  remember();
  runSearch();
  if (!state.entity) return;
  if (state.entity.type === "category") return select(null); // categories belong to one channel
  const tab = state.tab;
  const open = { ...state.openScope };
  await select(state.entity);
  state.tab = tab;
  state.openScope = open;
  emit();
}

channelSelect.value = state.channel;
localeSelect.value = state.locale;
if (channelSelect.value !== state.channel) state.channel = channelSelect.value || "omnichannel";
if (localeSelect.value !== state.locale) state.locale = localeSelect.value || "neutral";
channelSelect.addEventListener("change", contextChanged);
localeSelect.addEventListener("change", contextChanged);

initSearch(select);
const first = initialEntity();
if (first) select(first);
