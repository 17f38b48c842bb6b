// Multi-file upload by drag and drop (or a file chooser): each file is a row with its title
// and alt text, uploaded with XMLHttpRequest so each shows its own progress, and each
// refusal shows the API's reason in words beside that file; the others go on.
import { ApiError, config, errorMessages } from "./api.js";
import { $, h } from "./dom.js";
import { formatBytes } from "./library_query.js";

const CONCURRENCY = 1; // files go one after another, each with its own progress
let queue = [];
let seq = 0;
let running = false;

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function titleFrom(name) {
  const stem = name.replace(/\.[^.]+$/, "").replace(/[-_]+/g, " ").trim();
  return stem ? stem[0].toUpperCase() + stem.slice(1) : name;
}

function isImage(file) {
  return (file.type || "").startsWith("image/") || /\.(jpe?g|png|gif|webp|avif|tiff?)$/i.test(file.name);
}

function addFiles(files) {
  for (const file of files) {
    queue.push({ key: ++seq, file, title: titleFrom(file.name), alt: "", state: "waiting", progress: 0, message: "" });
  }
  render();
}

function statusText(entry) {
  if (entry.state === "waiting") return "Ready to upload";
  if (entry.state === "uploading") return `Uploading… ${entry.progress}%`;
  return entry.message;
}

function row(entry) {
  const done = entry.state === "done";
  const busy = entry.state === "uploading";
  const image = isImage(entry.file);
  return h(
    "li",
    { class: `queue-row queue-${entry.state}`, dataset: { key: entry.key, name: entry.file.name } },
    h("div", { class: "queue-file" }, h("strong", { class: "queue-name", text: entry.file.name }), h("span", { class: "muted small", text: formatBytes(entry.file.size) })),
    h("label", {}, "Title", h("input", { type: "text", maxlength: 300, value: entry.title, disabled: done || busy, "data-field": "title", oninput: (e) => (entry.title = e.target.value) })),
    h("label", {}, image ? "Alt text" : "Alt text (images only)", h("input", { type: "text", maxlength: 500, value: entry.alt, disabled: done || busy || !image, "data-field": "alt", oninput: (e) => (entry.alt = e.target.value) })),
    h(
      "div",
      { class: "queue-status" },
      h("div", { class: `progress progress-sm${entry.state === "failed" ? " failed" : ""}`, role: "progressbar", "aria-label": `Upload of ${entry.file.name}`, "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": entry.progress }, h("span", { style: `width: ${entry.progress}%` })),
      h("span", { class: `queue-message small${entry.state === "failed" ? " error-text" : ""}`, role: entry.state === "failed" ? "alert" : null, text: statusText(entry) }),
      entry.item ? h("a", { class: "small", href: config.item_url.replace("__id__", entry.item.id), text: "Open" }) : null,
    ),
    h("button", { type: "button", class: "btn btn-link btn-small", disabled: busy, "aria-label": `Remove ${entry.file.name} from the list`, onclick: () => { queue = queue.filter((e) => e !== entry); render(); } }, "Remove"),
  );
}

function render() {
  const list = $("#lib-queue");
  $("#lib-queue-wrap").hidden = queue.length === 0;
  list.replaceChildren(...queue.map(row));
  $("#lib-upload").disabled = running || !queue.some((e) => e.state === "waiting" || e.state === "failed");
}

function updateRow(entry) {
  const old = $(`#lib-queue [data-key="${entry.key}"]`);
  if (old) old.replaceWith(row(entry));
}

function send(entry) {
  return new Promise((resolve) => {
    const form = new FormData();
    form.append("file", entry.file);
    form.append("title", entry.title.trim());
    if (isImage(entry.file)) form.append("alt_text", entry.alt.trim());
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${config.api}media/`);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      entry.progress = Math.min(99, Math.round((e.loaded / e.total) * 100));
      const bar = $(`#lib-queue [data-key="${entry.key}"] .progress`);
      if (bar) {
        bar.setAttribute("aria-valuenow", entry.progress);
        bar.firstChild.style.width = `${entry.progress}%`;
        bar.nextSibling.textContent = statusText(entry);
      }
    });
    xhr.addEventListener("load", () => {
      let body = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch (err) {
        body = { detail: `The server answered ${xhr.status} without a readable message.` };
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        entry.state = "done";
        entry.progress = 100;
        entry.item = body;
        entry.message = body.duplicate ? `Already in the library as “${body.title || body.display_name}”.` : "Uploaded.";
      } else {
        entry.state = "failed";
        entry.progress = 0;
        if (xhr.status === 413) body = { detail: "The file is too large for the server." };
        entry.message = errorMessages(new ApiError(xhr.status, body)).join(" ");
      }
      resolve();
    });
    xhr.addEventListener("error", () => {
      entry.state = "failed";
      entry.progress = 0;
      entry.message = "The server could not be reached. Check your connection and try again.";
      resolve();
    });
    entry.state = "uploading";
    entry.progress = 0;
    updateRow(entry);
    xhr.send(form);
  });
}

async function uploadAll(onUploaded) {
  const todo = queue.filter((e) => e.state === "waiting" || e.state === "failed");
  if (!todo.length) return;
  running = true;
  render();
  const workers = Array.from({ length: Math.min(CONCURRENCY, todo.length) }, async () => {
    while (todo.length) {
      const entry = todo.shift();
      await send(entry);
      updateRow(entry);
    }
  });
  await Promise.all(workers);
  running = false;
  render();
  if (queue.some((e) => e.state === "done")) onUploaded();
}

export function initUpload({ onUploaded }) {
  const zone = $("#lib-drop");
  if (!zone) return; // viewers do not upload
  const input = $("#lib-files");
  input.addEventListener("change", () => {
    addFiles([...input.files]);
    input.value = "";
  });
  for (const name of ["dragenter", "dragover"])
    zone.addEventListener(name, (e) => {
      e.preventDefault();
      zone.classList.add("over");
    });
  zone.addEventListener("dragleave", (e) => {
    if (!zone.contains(e.relatedTarget)) zone.classList.remove("over");
  });
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    if (e.dataTransfer && e.dataTransfer.files.length) addFiles([...e.dataTransfer.files]);
  });
  $("#lib-upload").addEventListener("click", () => uploadAll(onUploaded));
  $("#lib-queue-clear").addEventListener("click", () => {
    queue = queue.filter((e) => e.state !== "done");
    render();
  });
}
