// TimelineStrip's frontend (anywidget ES module, no build step): see strip.py.
//
// It draws `model` (lanes of segments, times in ms) and turns gestures on the
// video lane into one message each: {type: "edit", name, args}.  Dragging moves
// only the drawing; the draft changes when the kernel's Session has made the edit
// and sent the new model.  Pointer events (not HTML5 drag and drop) so mouse,
// pen and touch all work, and so a test can drive them.

const MIN_MS = 200;
const MAX_MS = 60000;
const STEP_MS = 100;
const CLICK_PX = 4;

function h(tag, cls, attrs = {}) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined) node.setAttribute(k, String(v));
  }
  return node;
}

function seconds(ms) {
  return (ms / 1000).toFixed(2).replace(/\.?0+$/, "") || "0";
}

function pct(ms, total) {
  return `${((ms / total) * 100).toFixed(4)}%`;
}

function clampMs(ms) {
  return Math.min(MAX_MS, Math.max(MIN_MS, Math.round(ms / STEP_MS) * STEP_MS));
}

function drawSegment(sg, lane, total, thumbs, index) {
  const node = h("div", `nemo-strip-seg nemo-strip-${lane.kind}`, {
    "data-id": sg.id,
    "data-index": index,
    title: sg.tip,
    role: lane.editable ? "button" : null,
    tabindex: lane.editable ? 0 : null,
    "aria-label": lane.editable ? `${sg.label}, ${seconds(sg.d)} s` : null,
  });
  node.style.left = pct(sg.s, total);
  node.style.width = pct(Math.max(sg.d, total * 0.004), total);
  if (lane.kind === "video" && index % 2 === 1) node.classList.add("nemo-strip-lower");
  const thumb = sg.src ? thumbs[sg.src] : null;
  if (thumb && lane.kind === "video") node.style.backgroundImage = `url(${thumb})`;
  const label = h("span", "nemo-strip-label");
  label.textContent = sg.label;
  node.append(label);
  if (sg.kb) {
    const kb = h("span", "nemo-strip-kb", { title: `Ken Burns: ${sg.kb}` });
    kb.textContent = sg.kb === "zoom out" ? "KB ↙" : sg.kb === "pan" ? "KB ↔" : "KB ↗";
    node.append(kb);
  }
  if (lane.kind === "audio") {
    for (const key of ["fi", "fo"]) {
      if (!sg[key]) continue;
      const fade = h("span", `nemo-strip-fade nemo-strip-${key}`, {
        title: `${key === "fi" ? "fade in" : "fade out"} ${seconds(sg[key])} s`,
      });
      fade.style.width = `${((sg[key] / sg.d) * 100).toFixed(3)}%`;
      node.append(fade);
    }
  }
  if (lane.editable) {
    const handle = h("span", "nemo-strip-handle", {
      title: "Drag to change how long it lasts",
      "aria-hidden": "true",
    });
    node.append(handle);
  }
  return node;
}

function drawLane(lane, total, thumbs) {
  const row = h("div", `nemo-strip-lane nemo-strip-lane-${lane.kind}`);
  const name = h("div", "nemo-strip-name");
  name.textContent = lane.label;
  const body = h("div", "nemo-strip-body", { "data-kind": lane.kind });
  lane.segments.forEach((sg, i) => body.append(drawSegment(sg, lane, total, thumbs, i)));
  for (const ov of lane.overlaps) {
    const span = h("div", `nemo-strip-overlap nemo-strip-tr-${ov.type}`, {
      title: `${ov.type.replace("_", " ")} ${seconds(ov.d)} s: both photos show here`,
      "data-after": ov.after,
    });
    span.style.left = pct(ov.s, total);
    span.style.width = pct(ov.d, total);
    const mark = h("span", "nemo-strip-tr");
    mark.textContent = ov.type === "crossfade" ? "✕" : ov.type === "fade_black" ? "◐" : "▸";
    span.append(mark);
    body.append(span);
  }
  for (const beat of lane.beats) {
    const tick = h("div", "nemo-strip-beat", { title: `beat at ${seconds(beat)} s` });
    tick.style.left = pct(beat, total);
    body.append(tick);
  }
  row.append(name, body);
  return row;
}

function drawAxis(total, tick) {
  const axis = h("div", "nemo-strip-axis");
  for (let t = 0; t <= total + 1e-6; t += tick) {
    // A label near the end is drawn to the left of its mark, so it stays inside the strip.
    const end = total > 0 && t / total > 0.9;
    const mark = h("div", end ? "nemo-strip-tick nemo-strip-tick-end" : "nemo-strip-tick");
    mark.style.left = pct(t, total);
    mark.textContent = `${seconds(t)}s`;
    axis.append(mark);
  }
  return axis;
}

// -- gestures ---------------------------------------------------------------------------
function videoSegments(root) {
  return [...root.querySelectorAll(".nemo-strip-lane-video .nemo-strip-seg")];
}

function targetIndex(nodes, moving) {
  // Where the dragged photo lands: after every other photo whose centre is left of its own.
  const box = moving.getBoundingClientRect();
  const centre = box.left + box.width / 2;
  let index = 0;
  for (const node of nodes) {
    if (node === moving) continue;
    const b = node.getBoundingClientRect();
    if (b.left + b.width / 2 < centre) index += 1;
  }
  return index;
}

function gestures(root, model, send, select) {
  const state = { drag: null };
  const segmentOf = (event) => event.target.closest(".nemo-strip-lane-video .nemo-strip-seg");

  root.addEventListener("pointerdown", (event) => {
    const node = segmentOf(event);
    if (!node || !model.get("editable") || model.get("busy") || event.button !== 0) return;
    const resize = event.target.classList.contains("nemo-strip-handle");
    const body = node.parentElement.getBoundingClientRect();
    const sg = findSegment(model, node.dataset.id);
    state.drag = {
      node, resize, x0: event.clientX, dx: 0, moved: false, sg,
      msPerPx: model.get("model").total / Math.max(1, body.width),
      width0: node.getBoundingClientRect().width,
    };
    node.setPointerCapture(event.pointerId);
    event.preventDefault();
  });

  root.addEventListener("pointermove", (event) => {
    const d = state.drag;
    if (!d) return;
    d.dx = event.clientX - d.x0;
    if (!d.moved && Math.abs(d.dx) < CLICK_PX) return;
    d.moved = true;
    root.classList.add(d.resize ? "nemo-strip-resizing" : "nemo-strip-dragging");
    d.node.classList.add("nemo-strip-active");
    if (d.resize) {
      const ms = clampMs(d.sg.d + d.dx * d.msPerPx);
      d.node.style.width = `${Math.max(4, d.width0 + (ms - d.sg.d) / d.msPerPx)}px`;
      d.node.querySelector(".nemo-strip-label").textContent = `${seconds(ms)} s`;
    } else {
      d.node.style.transform = `translateX(${d.dx}px)`;
      const nodes = videoSegments(root);
      const to = targetIndex(nodes, d.node); // its box already includes the translation
      root.querySelectorAll(".nemo-strip-drop").forEach((n) => n.classList.remove("nemo-strip-drop"));
      const others = nodes.filter((n) => n !== d.node);
      const mark = others[Math.min(to, others.length - 1)];
      if (mark) mark.classList.add("nemo-strip-drop", to >= others.length ? "end" : "start");
    }
  });

  const finish = (event, cancelled) => {
    const d = state.drag;
    if (!d) return;
    state.drag = null;
    root.classList.remove("nemo-strip-dragging", "nemo-strip-resizing");
    if (!d.moved) {
      if (!cancelled) select(d.node.dataset.id);
      return;
    }
    const id = d.node.dataset.id;
    if (cancelled) return redraw();
    if (d.resize) {
      const ms = clampMs(d.sg.d + d.dx * d.msPerPx);
      if (ms !== d.sg.d) return send("set_segment_duration", { segment: id, ms });
    } else {
      const to = targetIndex(videoSegments(root), d.node);
      const from = Number(d.node.dataset.index);
      if (to !== from) return send("move_segment", { segment: id, to });
    }
    redraw();
  };
  root.addEventListener("pointerup", (e) => finish(e, false));
  root.addEventListener("pointercancel", (e) => finish(e, true));

  root.addEventListener("keydown", (event) => {
    const node = segmentOf(event);
    if (!node || !model.get("editable") || model.get("busy")) return;
    const id = node.dataset.id;
    const index = Number(node.dataset.index);
    const count = videoSegments(root).length;
    const step = event.key === "ArrowLeft" ? -1 : event.key === "ArrowRight" ? 1 : 0;
    if (event.key === "Enter" || event.key === " ") {
      select(id);
    } else if (step && event.altKey) {
      const to = index + step;
      if (to >= 0 && to < count) send("move_segment", { segment: id, to });
    } else if (step && event.shiftKey) {
      const sg = findSegment(model, id);
      const ms = clampMs(sg.d + step * 500);
      if (ms !== sg.d) send("set_segment_duration", { segment: id, ms });
    } else {
      return;
    }
    event.preventDefault();
  });

  let redraw = () => {};
  return (fn) => { redraw = fn; };
}

function findSegment(model, id) {
  for (const lane of model.get("model").lanes || []) {
    for (const sg of lane.segments) if (sg.id === id) return sg;
  }
  return { d: 0 };
}

function render({ model, el }) {
  const root = h("div", "nemo-strip-root");
  const lanes = h("div", "nemo-strip-lanes");
  const status = h("div", "nemo-strip-status", { "aria-live": "polite" });
  root.append(lanes, status);
  el.append(root);

  const draw = () => {
    const data = model.get("model") || {};
    const thumbs = model.get("thumbs") || {};
    lanes.replaceChildren();
    root.classList.toggle("nemo-strip-editable", Boolean(model.get("editable")));
    root.classList.toggle("nemo-strip-busy", Boolean(model.get("busy")));
    if (!data.lanes || !data.lanes.length) {
      status.textContent = "";
      return;
    }
    lanes.setAttribute("aria-label", data.summary || "timeline");
    lanes.setAttribute("role", "group");
    for (const lane of data.lanes) lanes.append(drawLane(lane, data.total, thumbs));
    lanes.append(drawAxis(data.total, data.tick));
    const chosen = model.get("selected");
    for (const node of lanes.querySelectorAll(".nemo-strip-seg")) {
      const on = node.dataset.id === chosen;
      node.classList.toggle("nemo-strip-selected", on);
      if (node.getAttribute("role")) node.setAttribute("aria-pressed", on ? "true" : "false");
    }
    const message = model.get("message");
    status.textContent = message
      ? message
      : model.get("editable")
        ? "Drag a photo to move it, drag its right edge to change its length, click to select."
        : "Hand edits need the local backend.";
    status.classList.toggle("nemo-strip-error", Boolean(message));
  };

  const send = (name, args) => {
    model.set("busy", true);
    model.save_changes();
    model.send({ type: "edit", name, args });
    draw();
  };
  const select = (id) => {
    model.set("selected", model.get("selected") === id ? "" : id);
    model.save_changes();
    draw();
  };
  gestures(root, model, send, select)(draw);

  for (const name of ["model", "thumbs", "selected", "editable", "busy", "message"]) {
    model.on(`change:${name}`, draw);
  }
  draw();
  return () => {
    for (const name of ["model", "thumbs", "selected", "editable", "busy", "message"]) {
      model.off(`change:${name}`, draw);
    }
  };
}

export default { render };
