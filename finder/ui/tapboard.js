// The tap board: a photo on a canvas where a partner places, drags and boxes landmarks.
// Coordinates sent to Python are original-image pixels. State values: "taps" ({name: [x, y]})
// and "box" ([x, y, w, h] or null). Data from Python: image (data URL), width, height,
// markers [{name, label, x, y, placed}], active (name to place on a click), mode ("tap"|"box").
const GRAB_CSS_PX = 24; // a fingertip on a phone

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".tapboard");
  const canvas = root.querySelector("canvas");
  const board = root.__board || (root.__board = { image: new Image(), src: null, drag: null });
  board.data = data;
  board.taps = board.taps && board.revision === data.revision ? board.taps : initialTaps(data);
  board.box = board.revision === data.revision ? board.box : data.box;
  board.revision = data.revision;

  function initialTaps(d) {
    const taps = {};
    for (const m of d.markers) if (m.placed) taps[m.name] = [m.x, m.y];
    return taps;
  }
  function scale() {
    return canvas.width / board.data.width;
  }
  function toImage(event) {
    const rect = canvas.getBoundingClientRect();
    const perCss = board.data.width / rect.width;
    return [(event.clientX - rect.left) * perCss, (event.clientY - rect.top) * perCss];
  }
  // The mark a press grabs: a placed one, or the dashed start of the landmark to place next.
  // Another landmark's dashed start is never grabbed, so a click always places what the guide
  // names (the starts can lie close to where the partner clicks).
  function markerAt(point) {
    const rect = canvas.getBoundingClientRect();
    const grab = (GRAB_CSS_PX * board.data.width) / rect.width;
    let best = null;
    for (const m of board.data.markers) {
      if (!board.taps[m.name] && m.name !== board.data.active) continue;
      const [x, y] = board.taps[m.name] || [m.x, m.y];
      if (x === null || y === null) continue;
      const d = Math.hypot(x - point[0], y - point[1]);
      if (d < grab && (!best || d < best.d)) best = { name: m.name, d };
    }
    return best && best.name;
  }
  function draw() {
    const d = board.data;
    const width = Math.max(root.clientWidth, 200);
    canvas.width = Math.min(width, d.width) * (window.devicePixelRatio || 1);
    canvas.height = (canvas.width * d.height) / d.width;
    canvas.style.width = `${canvas.width / (window.devicePixelRatio || 1)}px`;
    const ctx = canvas.getContext("2d");
    const s = scale();
    if (board.image.complete) ctx.drawImage(board.image, 0, 0, canvas.width, canvas.height);
    const unit = Math.max(canvas.width / 120, 4);
    ctx.font = `${Math.round(unit * 2.2)}px sans-serif`;
    ctx.lineWidth = Math.max(unit / 3, 1.5);
    for (const m of d.markers) {
      const placed = board.taps[m.name];
      const [x, y] = placed || [m.x, m.y];
      if (x === null || y === null) continue;
      const px = x * s;
      const py = y * s;
      const active = m.name === d.active;
      ctx.beginPath();
      ctx.arc(px, py, unit * (active ? 2.2 : 1.6), 0, 2 * Math.PI);
      ctx.setLineDash(placed ? [] : [unit / 2, unit / 2]);
      ctx.fillStyle = placed ? "rgba(255, 200, 0, 0.9)" : "rgba(255, 255, 255, 0.25)";
      ctx.strokeStyle = active ? "#ff3b30" : "#202020";
      ctx.fill();
      ctx.stroke();
      ctx.setLineDash([]);
      // Only the landmark to place next and those placed carry a name: fewer words on the body.
      if (!active && !placed) continue;
      ctx.fillStyle = "#ffffff";
      ctx.strokeStyle = "#000000";
      ctx.strokeText(m.label, px + unit * 2.6, py + unit * 0.7);
      ctx.fillText(m.label, px + unit * 2.6, py + unit * 0.7);
    }
    if (board.box) {
      const [bx, by, bw, bh] = board.box;
      ctx.strokeStyle = "#00c2ff";
      ctx.setLineDash([unit, unit / 2]);
      ctx.strokeRect(bx * s, by * s, bw * s, bh * s);
      ctx.setLineDash([]);
    }
  }
  function commitTaps() {
    setStateValue("taps", { ...board.taps });
  }

  if (board.src !== data.image) {
    board.src = data.image;
    board.image.onload = draw;
    board.image.src = data.image;
  }
  if (!root.__wired) {
    root.__wired = true;
    canvas.addEventListener("pointerdown", (event) => {
      const point = toImage(event);
      canvas.setPointerCapture(event.pointerId);
      if (board.data.mode === "box") {
        board.drag = { kind: "box", start: point };
        board.box = [point[0], point[1], 0, 0];
      } else {
        const name = markerAt(point) || board.data.active;
        if (!name) return;
        board.drag = { kind: "tap", name };
        board.taps[name] = point;
      }
      draw();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!board.drag) return;
      const point = toImage(event);
      if (board.drag.kind === "box") {
        const [x0, y0] = board.drag.start;
        board.box = [Math.min(x0, point[0]), Math.min(y0, point[1]),
          Math.abs(point[0] - x0), Math.abs(point[1] - y0)];
      } else {
        board.taps[board.drag.name] = point;
      }
      draw();
    });
    const finish = () => {
      if (!board.drag) return;
      const kind = board.drag.kind;
      board.drag = null;
      if (kind === "box") setStateValue("box", board.box.map(Math.round));
      else commitTaps();
    };
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    new ResizeObserver(draw).observe(root);
  }
  draw();
}
