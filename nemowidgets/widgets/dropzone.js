// The DropZone's page side (anywidget ES module, no build step).
// Files picked or dropped are sent to the kernel one at a time, in chunks of
// `chunk_size` bytes with at most `window` chunks unacknowledged (the protocol
// is described in nemowidgets/widgets/_chunks.py). Each file shows its progress.

let nextId = 1;

function waiter() {
  // Answers from the kernel, in order, per file id: each answer goes to the oldest
  // waiter; an answer nobody waits for yet is kept until someone does.
  const waiting = new Map();
  const early = new Map();
  return {
    deliver(msg) {
      const list = waiting.get(msg.id);
      if (list && list.length) list.shift()(msg);
      else early.set(msg.id, [...(early.get(msg.id) || []), msg]);
    },
    next(id) {
      const kept = early.get(id);
      if (kept && kept.length) return Promise.resolve(kept.shift());
      return new Promise((resolve) => {
        waiting.set(id, [...(waiting.get(id) || []), resolve]);
      });
    },
  };
}

function human(n) {
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

function fileRow(list, file) {
  const row = document.createElement("div");
  row.className = "nemo-drop-file";
  const name = document.createElement("span");
  name.className = "nemo-drop-name";
  name.textContent = `${file.name} · ${human(file.size)}`;
  const bar = document.createElement("progress");
  bar.className = "nemo-drop-progress";
  bar.max = 1;
  bar.value = 0;
  const text = document.createElement("span");
  text.className = "nemo-drop-state";
  text.textContent = "waiting…";
  row.append(name, bar, text);
  list.append(row);
  return {
    row,
    progress(done) {
      bar.value = file.size ? done / file.size : 1;
      text.textContent = `sending to the kernel… ${Math.floor(bar.value * 100)}%`;
    },
    fail(message) {
      row.classList.add("nemo-drop-failed");
      bar.remove();
      text.textContent = `✗ ${message}`;
      setTimeout(() => row.remove(), 8000);
    },
    done() {
      row.remove(); // the Uploader lists it now, with the upload's own progress
    },
  };
}

async function sendFile(model, inbox, file, ui) {
  const id = `f${Date.now().toString(36)}-${nextId++}`;
  const chunk = Math.max(64 * 1024, model.get("chunk_size"));
  const window = Math.max(1, model.get("window"));
  model.send({ t: "begin", id, name: file.name, size: file.size });
  const first = await inbox.next(id);
  if (first.t !== "ready") {
    ui.done(); // refused before sending: the Uploader lists it with the reason
    return;
  }
  let offset = 0;
  let inFlight = 0;
  let failed = null;
  const pending = [];
  const onAnswer = (msg) => {
    inFlight--;
    if (msg.t === "ack") ui.progress(msg.received);
    else failed = msg.message || "failed";
  };
  while (offset < file.size && !failed) {
    while (inFlight >= window && !failed) onAnswer(await pending.shift());
    if (failed) break;
    const end = Math.min(file.size, offset + chunk);
    const buffer = await file.slice(offset, end).arrayBuffer();
    pending.push(inbox.next(id));
    model.send({ t: "chunk", id, offset }, undefined, [buffer]);
    inFlight++;
    offset = end;
  }
  while (inFlight > 0) onAnswer(await pending.shift());
  if (failed) {
    model.send({ t: "cancel", id });
    ui.fail(failed);
    return;
  }
  model.send({ t: "end", id });
  const last = await inbox.next(id);
  if (last.t === "done") ui.done();
  else ui.fail(last.message || "failed");
}

function render({ model, el }) {
  const inbox = waiter();
  const queue = [];
  let busy = false;

  const box = document.createElement("div");
  box.className = "nemo-drop";
  const input = document.createElement("input");
  input.type = "file";
  input.multiple = true;
  input.className = "nemo-drop-input";
  input.hidden = true;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "nemo-drop-pick jupyter-button";
  const hint = document.createElement("span");
  hint.className = "nemo-drop-hint";
  const list = document.createElement("div");
  list.className = "nemo-drop-files";
  box.append(input, button, hint, list);
  el.append(box);

  const show = () => {
    button.textContent = `${model.get("label")} (${model.get("count")})`;
    button.title = "Pick photos, music or clips on this computer (any size)";
    button.disabled = model.get("disabled");
    input.accept = model.get("accept");
    hint.textContent = model.get("hint");
  };
  show();
  model.on("change:count", show);
  model.on("change:disabled", show);
  model.on("change:label", show);
  model.on("change:hint", show);

  const onMessage = (msg) => {
    if (msg && msg.id) inbox.deliver(msg);
  };
  model.on("msg:custom", onMessage);

  async function pump() {
    if (busy) return;
    busy = true;
    try {
      while (queue.length) {
        const { file, ui } = queue.shift();
        try {
          await sendFile(model, inbox, file, ui);
        } catch (err) {
          ui.fail(String((err && err.message) || err));
        }
      }
    } finally {
      busy = false;
    }
  }

  function add(files) {
    if (model.get("disabled")) return;
    for (const file of files) queue.push({ file, ui: fileRow(list, file) });
    pump();
  }

  button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    add(Array.from(input.files || []));
    input.value = "";
  });

  // The drop target: the Studio around this widget (or the Uploader), found when needed
  // because the view is attached to the page after render() returns.
  const root = () => el.closest(".nemo-studio") || el.closest(".nemo-uploader") || el;
  const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes("Files");
  const inside = (e) => el.isConnected && root().contains(e.target);
  let depth = 0;
  const onEnter = (e) => {
    if (!inside(e) || !hasFiles(e)) return;
    depth++;
    root().classList.add("nemo-dragover");
  };
  const onLeave = (e) => {
    if (!inside(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) root().classList.remove("nemo-dragover");
  };
  const onOver = (e) => {
    if (!inside(e) || !hasFiles(e)) return;
    e.preventDefault(); // allow the drop (else the browser opens the file)
    e.dataTransfer.dropEffect = model.get("disabled") ? "none" : "copy";
  };
  const onDrop = (e) => {
    if (!inside(e)) return;
    depth = 0;
    root().classList.remove("nemo-dragover");
    const files = Array.from((e.dataTransfer && e.dataTransfer.files) || []);
    if (!files.length) return;
    e.preventDefault();
    e.stopPropagation(); // not also a notebook's or the file browser's drop
    add(files);
  };
  document.addEventListener("dragenter", onEnter, true);
  document.addEventListener("dragleave", onLeave, true);
  document.addEventListener("dragover", onOver, true);
  document.addEventListener("drop", onDrop, true);

  return () => {
    document.removeEventListener("dragenter", onEnter, true);
    document.removeEventListener("dragleave", onLeave, true);
    document.removeEventListener("dragover", onOver, true);
    document.removeEventListener("drop", onDrop, true);
    model.off("msg:custom", onMessage);
    model.off("change:count", show);
    model.off("change:disabled", show);
    model.off("change:label", show);
    model.off("change:hint", show);
  };
}

export default { render };
