// A publish job's counts in words ("products: 3 · documents published: 2 · media published: 0
// · expired media: 0"), shared by the product's publish dialog and the publish groups page.
// A count may be a number or a list (`expired`: the items outside their availability window,
// which shops do not show): a list is counted, and its items named.
const LABELS = {
  products: "products",
  documents_published: "documents published",
  media_published: "media published",
  expired: "expired media",
};

function itemName(entry) {
  if (entry && typeof entry === "object") return entry.display_name || entry.title || (entry.id ? `media item ${entry.id}` : "");
  return String(entry);
}

export function jobCountsText(counts) {
  const parts = [];
  // Known counts first, in LABELS' order (PostgreSQL's JSONB reorders a job's keys), then
  // any other, by name.
  const known = Object.keys(LABELS);
  const keys = Object.keys(counts || {}).sort((a, b) => {
    const ia = known.includes(a) ? known.indexOf(a) : known.length;
    const ib = known.includes(b) ? known.indexOf(b) : known.length;
    return ia - ib || a.localeCompare(b);
  });
  for (const key of keys) {
    const value = counts[key];
    const label = LABELS[key] || key.replaceAll("_", " ");
    if (typeof value === "number") parts.push(`${label}: ${value}`);
    else if (Array.isArray(value)) {
      const names = value.map(itemName).filter(Boolean);
      parts.push(`${label}: ${value.length}${names.length ? ` (${names.join(", ")})` : ""}`);
    } else if (typeof value === "string" && value) parts.push(`${label}: ${value}`);
    // Anything else (null, nested objects) has nothing to say to a person: left out.
  }
  return parts.join(" · ");
}
