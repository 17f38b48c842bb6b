// Shape helpers for the assignment CONTENT (SPEC §3): find or add the slots of a scope,
// copy, and drop rows left empty. No rules here: the server validates every write.

export const emptySlots = () => ({ primary: [], additional: [], swatches: [] });

export const emptyContent = () => ({ matrix: [], master: emptySlots(), dimensions: [], variants: [] });

export const clone = (value) => JSON.parse(JSON.stringify(value));

export function normalise(content) {
  const c = content ? clone(content) : emptyContent();
  c.matrix = c.matrix || [];
  c.master = { ...emptySlots(), ...(c.master || {}) };
  c.dimensions = (c.dimensions || []).map((row) => ({ ...emptySlots(), ...row }));
  c.variants = (c.variants || []).map((row) => ({ ...emptySlots(), ...row }));
  return c;
}

const sameValues = (a, b) => {
  const ka = Object.keys(a || {});
  const kb = Object.keys(b || {});
  return ka.length === kb.length && ka.every((k) => a[k] === b[k]);
};

// scope: {kind: "master"} | {kind: "dimension", values} | {kind: "variant", variant}
export function slotsOf(content, scope, { create = false } = {}) {
  if (scope.kind === "master") return content.master;
  if (scope.kind === "dimension") {
    let row = content.dimensions.find((r) => sameValues(r.values, scope.values));
    if (!row && create) {
      row = { values: { ...scope.values }, ...emptySlots() };
      content.dimensions.push(row);
    }
    return row || null;
  }
  let row = content.variants.find((r) => r.variant === scope.variant);
  if (!row && create) {
    row = { variant: scope.variant, ...emptySlots() };
    content.variants.push(row);
  }
  return row || null;
}

export const hasMedia = (slots) =>
  !!slots && (slots.primary.length > 0 || slots.additional.length > 0 || slots.swatches.length > 0);

// Rows with nothing in them are not sent: an empty row is no assignment.
export function prune(content) {
  const c = clone(content);
  c.dimensions = c.dimensions.filter(hasMedia);
  c.variants = c.variants.filter(hasMedia);
  return c;
}

export function scopeLabel(scope) {
  if (scope.kind === "master") return "Master";
  if (scope.kind === "dimension")
    return Object.entries(scope.values)
      .map(([d, v]) => `${d}: ${v}`)
      .join(", ");
  return scope.variant;
}

// Every combination of the matrix dimensions' values, in the product's order.
export function combinations(dimensions, matrix) {
  let combos = [{}];
  for (const dim of matrix) {
    const next = [];
    for (const combo of combos) for (const value of dimensions[dim] || []) next.push({ ...combo, [dim]: value });
    combos = next;
  }
  return matrix.length ? combos : [];
}
