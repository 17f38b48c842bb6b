// Media items by id, fetched once per page and shared by every module that shows thumbnails.
import { api } from "./api.js";
import { h } from "./dom.js";

const items = new Map();
const pending = new Map();

export function remember(item) {
  if (item && item.id) items.set(item.id, item);
  return item;
}

export function mediaGet(id) {
  return items.get(id) || null;
}

export function mediaLoad(id) {
  if (items.has(id)) return Promise.resolve(items.get(id));
  if (!pending.has(id)) {
    pending.set(
      id,
      api
        .get(`media/${id}/`)
        .then(remember)
        .catch(() => null)
        .finally(() => pending.delete(id)),
    );
  }
  return pending.get(id);
}

export function mediaEnsure(ids) {
  return Promise.all([...new Set(ids)].filter((id) => !items.has(id)).map(mediaLoad));
}

export function thumbUrl(item) {
  if (!item) return null;
  const r = item.renditions || {};
  return r.thumb || r.gallery || (item.kind === "image" ? item.public_url || item.url : null);
}

export function galleryUrl(item) {
  if (!item) return null;
  const r = item.renditions || {};
  return r.gallery || item.public_url || item.url || r.thumb;
}

// A thumbnail tile; a missing rendition (documents, videos without a poster) shows the kind.
export function mediaThumb(item, { size = "md" } = {}) {
  const src = thumbUrl(item);
  const label = item ? item.title || item.display_name : "Unknown media";
  if (src) return h("img", { class: `thumb thumb-${size}`, src, alt: item.alt_text || label, loading: "lazy" });
  return h("span", { class: `thumb thumb-${size} thumb-kind`, title: label }, item ? item.kind : "?");
}

export function mediaLabel(item, id) {
  if (!item) return `Media #${id}`;
  return item.title || item.display_name || `Media #${id}`;
}
