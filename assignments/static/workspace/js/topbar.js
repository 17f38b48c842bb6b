// The tenant switcher in the top bar.
const select = document.querySelector("[data-tenant-switch]");
if (select) select.addEventListener("change", () => (window.location.href = select.value));
