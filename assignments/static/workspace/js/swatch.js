// The swatch editor: dimension + value, a hex colour or an image, optionally a crop
// rectangle dragged and resized on the image (kept in the image's own pixels). It adds a
// swatch or, opened with an existing one, edits it in place.
import { $, closeDialog, h, hideAlert, openDialog, showAlert } from "./dom.js";
import { galleryUrl, mediaGet, mediaLoad } from "./media.js";
import { openPicker } from "./picker.js";

const dialog = $("#swatch-dialog");
const dimSelect = $("#swatch-dimension");
const valueSelect = $("#swatch-value");
const typeSelect = $("#swatch-type");
const hexInput = $("#swatch-hex");
const cropOn = $("#swatch-crop-on");
const stage = $("#crop-stage");
const img = $("#crop-image");
const rect = $("#crop-rect");
const readout = $("#crop-readout");
const error = $("#swatch-error");

let dims = {};
let taken = [];
let mediaId = null;
let crop = null; // in image pixels
let resolver = null;

function fillValues() {
  const used = new Set(taken.filter((s) => s.dimension === dimSelect.value).map((s) => s.value));
  valueSelect.replaceChildren(...(dims[dimSelect.value] || []).map((v) => h("option", { value: v, disabled: used.has(v) }, used.has(v) ? `${v} (has a swatch)` : v)));
  const free = [...valueSelect.options].find((o) => !o.disabled);
  if (free) valueSelect.value = free.value;
}

function syncType() {
  const image = typeSelect.value === "image";
  dialog.querySelector("[data-swatch-hex]").hidden = image;
  dialog.querySelector("[data-swatch-image]").hidden = !image;
  syncCrop();
}

function scale() {
  const item = mediaGet(mediaId);
  if (!item || !item.width || !img.clientWidth) return null;
  return img.clientWidth / item.width;
}

function syncCrop() {
  const item = mediaGet(mediaId);
  const show = typeSelect.value === "image" && cropOn.checked && item && !img.hidden;
  rect.hidden = !show;
  if (!show) {
    readout.textContent = item ? `${item.title || item.display_name} (${item.width}×${item.height})` : "No image chosen yet.";
    return;
  }
  if (!crop) {
    const side = Math.round(Math.min(item.width, item.height) / 3);
    crop = { x: Math.round((item.width - side) / 2), y: Math.round((item.height - side) / 2), width: side, height: side };
  }
  drawRect();
}

function drawRect() {
  const s = scale();
  if (!s || !crop) return;
  rect.style.left = `${crop.x * s}px`;
  rect.style.top = `${crop.y * s}px`;
  rect.style.width = `${crop.width * s}px`;
  rect.style.height = `${crop.height * s}px`;
  readout.textContent = `Crop: ${crop.width}×${crop.height} px at (${crop.x}, ${crop.y})`;
}

function clamp(next) {
  const item = mediaGet(mediaId);
  const minSide = Math.max(4, Math.round(item.width / 100));
  next.width = Math.max(minSide, Math.min(Math.round(next.width), item.width));
  next.height = Math.max(minSide, Math.min(Math.round(next.height), item.height));
  next.x = Math.max(0, Math.min(Math.round(next.x), item.width - next.width));
  next.y = Math.max(0, Math.min(Math.round(next.y), item.height - next.height));
  return next;
}

// Pointer dragging: the body moves the rectangle, a corner handle resizes it.
rect.addEventListener("pointerdown", (event) => {
  const s = scale();
  if (!s) return;
  event.preventDefault();
  rect.setPointerCapture(event.pointerId);
  const handle = event.target.dataset.handle || null;
  const start = { px: event.clientX, py: event.clientY, ...crop };
  const onMove = (e) => {
    const dx = (e.clientX - start.px) / s;
    const dy = (e.clientY - start.py) / s;
    const next = { x: start.x, y: start.y, width: start.width, height: start.height };
    if (!handle) {
      next.x += dx;
      next.y += dy;
    } else {
      if (handle.includes("e")) next.width += dx;
      if (handle.includes("s")) next.height += dy;
      if (handle.includes("w")) {
        next.x += dx;
        next.width -= dx;
      }
      if (handle.includes("n")) {
        next.y += dy;
        next.height -= dy;
      }
      const item = mediaGet(mediaId);
      if (next.x < 0) { next.width += next.x; next.x = 0; }
      if (next.y < 0) { next.height += next.y; next.y = 0; }
      next.width = Math.min(next.width, item.width - next.x);
      next.height = Math.min(next.height, item.height - next.y);
    }
    crop = clamp(next);
    drawRect();
  };
  const onUp = () => {
    rect.removeEventListener("pointermove", onMove);
    rect.removeEventListener("pointerup", onUp);
    rect.removeEventListener("pointercancel", onUp);
  };
  rect.addEventListener("pointermove", onMove);
  rect.addEventListener("pointerup", onUp);
  rect.addEventListener("pointercancel", onUp);
});

// Keyboard: arrows move, shift+arrows resize (10 px steps in the image).
rect.addEventListener("keydown", (event) => {
  const step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
  if (!step || !crop) return;
  event.preventDefault();
  const d = Math.max(1, Math.round(mediaGet(mediaId).width / 100));
  const next = { ...crop };
  if (event.shiftKey) {
    next.width += step[0] * d;
    next.height += step[1] * d;
  } else {
    next.x += step[0] * d;
    next.y += step[1] * d;
  }
  crop = clamp(next);
  drawRect();
});

async function chooseImage() {
  const ids = await openPicker({ multiple: false, kind: "image" });
  if (!ids || !ids.length) return;
  mediaId = ids[0];
  crop = null;
  await showImage(mediaId);
  syncCrop();
}

function finish(result) {
  closeDialog(dialog);
  if (resolver) resolver(result);
  resolver = null;
}

function build() {
  if (!dimSelect.value || !valueSelect.value) return showAlert(error, "Choose a dimension and a value.");
  const swatch = { dimension: dimSelect.value, value: valueSelect.value };
  if (typeSelect.value === "hex") {
    swatch.hex = hexInput.value;
  } else {
    if (!mediaId) return showAlert(error, "Choose an image for the swatch with Add media.");
    swatch.media = mediaId;
    if (cropOn.checked && crop) swatch.crop = { ...crop };
  }
  finish(swatch);
}

dimSelect.addEventListener("change", fillValues);
typeSelect.addEventListener("change", syncType);
cropOn.addEventListener("change", syncCrop);
$("#swatch-choose").addEventListener("click", chooseImage);
$("#swatch-add").addEventListener("click", build);
$("#swatch-cancel").addEventListener("click", () => finish(null));
dialog.addEventListener("cancel", (e) => {
  e.preventDefault();
  finish(null);
});
window.addEventListener("resize", () => dialog.open && drawRect());

async function showImage(id) {
  const item = mediaGet(id) || (await mediaLoad(id));
  img.hidden = false;
  img.alt = item ? item.alt_text || item.title : "";
  img.onload = syncCrop;
  img.src = galleryUrl(item);
  stage.classList.add("has-image");
}

// Resolves with a swatch object for the CONTENT, or null when cancelled. With `initial`
// (an existing swatch) the editor opens prefilled to change it in place.
export function openSwatchEditor({ dimensions, taken: existing, initial = null }) {
  dims = dimensions || {};
  taken = existing || [];
  mediaId = initial && initial.media ? initial.media : null;
  crop = initial && initial.crop ? { ...initial.crop } : null;
  img.hidden = true;
  img.removeAttribute("src");
  stage.classList.remove("has-image");
  cropOn.checked = !!(initial && initial.crop);
  typeSelect.value = initial && initial.media ? "image" : "hex";
  if (initial && initial.hex) hexInput.value = initial.hex;
  hideAlert(error);
  $("#swatch-title").textContent = initial ? `Edit swatch ${initial.dimension}: ${initial.value}` : "Add swatch";
  $("#swatch-add").textContent = initial ? "Save swatch" : "Add swatch";
  dimSelect.replaceChildren(...Object.keys(dims).map((d) => h("option", { value: d }, d)));
  if (initial) dimSelect.value = initial.dimension;
  fillValues();
  if (initial) valueSelect.value = initial.value;
  syncType();
  if (mediaId) showImage(mediaId).then(syncCrop);
  openDialog(dialog);
  dimSelect.focus();
  return new Promise((resolve) => {
    resolver = resolve;
  });
}
