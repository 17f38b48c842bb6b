// The publish group a user works "in" (issue 15): chosen on the publish groups page, offered
// first by the product page's "Add to group". Kept per tenant in this browser only: it is a
// convenience, never a rule (a product joins a group only when someone adds it).
import { config } from "./api.js";

const KEY = `mediahub:${config.tenant}:working-group`;

export function workingGroupGet() {
  try {
    const value = JSON.parse(window.localStorage.getItem(KEY) || "null");
    return value && typeof value.id === "number" ? value : null;
  } catch (err) {
    return null;
  }
}

export function workingGroupSet(group) {
  if (group) window.localStorage.setItem(KEY, JSON.stringify({ id: group.id, name: group.name }));
  else window.localStorage.removeItem(KEY);
}
