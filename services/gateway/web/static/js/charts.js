/* Tiny inline-SVG charts. Each returns an <svg role="img"> sized by its viewBox, so it
   scales to the container (phone width included). Text is drawn with currentColor. */
"use strict";

const Charts = (() => {
  const { svg, RATING_LABELS, RATING_COLOURS } = LIR;
  const fmt = (v, d = 2) => Number(v).toFixed(d);

  function frame(w, h, label) {
    return svg("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": label, class: "chart",
                        preserveAspectRatio: "xMidYMid meet" }, svg("title", {}, label));
  }

  function text(x, y, s, attrs = {}) {
    return svg("text", { x, y, fill: "currentColor", "font-size": 12, ...attrs }, s);
  }

  /* Four horizontal bars, one per rating class. */
  function probabilityBars(probs) {
    const w = 420, row = 30, h = row * 4 + 8, left = 110, right = 50;
    const s = frame(w, h, "Probability of each rating: " +
      probs.map((p, i) => `${i} ${Math.round(p * 100)}%`).join(", "));
    probs.forEach((p, i) => {
      const y = 4 + i * row;
      s.append(text(0, y + 18, `${i} · ${RATING_LABELS[i]}`),
        svg("rect", { x: left, y: y + 4, width: w - left - right, height: row - 10, fill: "#e8eaed", rx: 3 }),
        svg("rect", { x: left, y: y + 4, width: Math.max(1, (w - left - right) * p), height: row - 10,
                      fill: RATING_COLOURS[i], rx: 3, class: "prob-bar" }),
        text(w - right + 6, y + 18, `${Math.round(p * 100)}%`));
    });
    return s;
  }

  /* Diverging bars around zero: positive effects right (green), negative left (red). Labels
     sit in their own column, so a long one is never drawn over a bar or off the chart; one
     longer than LABEL_CHARS is shortened, and its full text is its tooltip. */
  const LABEL_CHARS = 44;
  function diverging(items, { label = "Effects", unit = "" } = {}) {
    const w = 680, row = 26, h = Math.max(1, items.length) * row + 10, labels = 360;
    const mid = labels + (w - labels) / 2, half = (w - labels) / 2 - 52;  // room for the value
    const max = Math.max(1e-9, ...items.map((d) => Math.abs(d.effect)));
    const s = frame(w, h, label);
    s.append(svg("line", { x1: mid, x2: mid, y1: 0, y2: h, stroke: "#9aa0a6" }));
    items.forEach((d, i) => {
      const y = 5 + i * row, len = (Math.abs(d.effect) / max) * half;
      const pos = d.effect >= 0, full = String(d.label ?? d.feature);
      const name = full.length > LABEL_CHARS ? `${full.slice(0, LABEL_CHARS - 1)}…` : full;
      const caption = text(labels - 8, y + 17, name, { "text-anchor": "end", "font-size": 14, class: "bar-label" });
      s.append(name === full ? caption : svg("g", {}, svg("title", {}, full), caption),
        svg("rect", { x: pos ? mid : mid - len, y: y + 3, width: Math.max(1, len), height: row - 8,
                      fill: pos ? "#2e7d32" : "#c62828", rx: 2 }),
        text(pos ? mid + len + 4 : mid - len - 4, y + 17, `${d.shown ?? (pos ? "+" : "") + fmt(d.effect)}${unit}`,
             { "text-anchor": pos ? "start" : "end", "font-size": 13, class: "bar-value" }));
    });
    return s;
  }

  /* Vertical bars with a label under each. */
  function bars(values, labels, colours, label) {
    const w = 420, h = 220, base = 180, top = 20, n = values.length, slot = (w - 20) / n;
    const max = Math.max(1, ...values);
    const s = frame(w, h, label + ": " + labels.map((l, i) => `${l} ${values[i]}`).join(", "));
    values.forEach((v, i) => {
      const bh = ((base - top) * v) / max, x = 10 + i * slot + slot * 0.15;
      s.append(svg("rect", { x, y: base - bh, width: slot * 0.7, height: bh, fill: colours[i % colours.length], rx: 3 }),
        text(x + slot * 0.35, base - bh - 5, String(v), { "text-anchor": "middle" }),
        text(x + slot * 0.35, base + 16, labels[i], { "text-anchor": "middle" }));
    });
    return s;
  }

  /* A line over ordered points [{x: label, y: 0..1}] with a 0–100% axis. */
  /* Optional p.baseline (0..1): always guessing the usual rating, drawn dashed and grey, so
     a version's accuracy is read against it; p.active: the version in use (green point). */
  function line(points, label) {
    const w = 560, h = 220, l = 40, r = 16, t = 14, b = 34;
    const s = frame(w, h, label + ": " + points.map((p) => `${p.x} ${Math.round(p.y * 100)}%` +
      (p.baseline != null ? ` (always guessing ${Math.round(p.baseline * 100)}%)` : "")).join(", "));
    const pad = 24;  // keeps the first and last points off the axis
    const X = (i) => l + pad + (points.length === 1 ? (w - l - r - 2 * pad) / 2
      : (i * (w - l - r - 2 * pad)) / (points.length - 1));
    const Y = (v) => t + (1 - v) * (h - t - b);
    for (const g of [0, 0.25, 0.5, 0.75, 1]) {
      s.append(svg("line", { x1: l, x2: w - r, y1: Y(g), y2: Y(g), stroke: "#dadce0" }),
        text(l - 6, Y(g) + 4, `${g * 100}%`, { "text-anchor": "end", "font-size": 10 }));
    }
    const base = points.map((p, i) => [i, p.baseline]).filter(([, v]) => v != null);
    if (base.length) {
      s.append(svg("polyline", { points: base.map(([i, v]) => `${X(i)},${Y(v)}`).join(" "),
                                 fill: "none", stroke: "#80868b", "stroke-width": 1.5,
                                 "stroke-dasharray": "5 4", class: "baseline" }));
      base.forEach(([i, v]) => s.append(svg("rect", { x: X(i) - 3, y: Y(v) - 3, width: 6, height: 6,
        fill: "#80868b", class: "baseline-point" }, svg("title", {}, `${points[i].x}: always guessing the usual rating, ${fmt(v * 100, 1)}%`))));
    }
    s.append(svg("polyline", { points: points.map((p, i) => `${X(i)},${Y(p.y)}`).join(" "),
                               fill: "none", stroke: "#1a56db", "stroke-width": 2.5 }));
    points.forEach((p, i) => s.append(
      svg("circle", { cx: X(i), cy: Y(p.y), r: 4.5, fill: p.active ? "#2e7d32" : "#1a56db", class: "point" },
        svg("title", {}, `${p.x}: ${fmt(p.y * 100, 1)}%${p.active ? " (in use)" : ""}`)),
      text(X(i), h - b + 18, p.x, { "text-anchor": "middle", "font-size": 11 })));
    return s;
  }

  /* Pay (y, log scale: pay spans currencies and orders of magnitude) against rating
     (x, jittered); each point titled with the posting. */
  function scatter(points, label) {
    const w = 560, h = 260, l = 56, r = 16, t = 14, b = 34;
    const logs = points.map((p) => Math.log10(Math.max(1, p.y)));
    const lo = Math.floor(Math.min(...logs) * 2) / 2, hi = Math.max(lo + 0.5, Math.ceil(Math.max(...logs) * 2) / 2);
    const X = (v) => l + ((v + 0.5) / 4) * (w - l - r);
    const Y = (lg) => t + (1 - (lg - lo) / (hi - lo)) * (h - t - b);
    const s = frame(w, h, label);
    for (let g = lo; g <= hi + 1e-9; g += 0.5) {
      const v = 10 ** g;
      const txt = v >= 1e6 ? `${+(v / 1e6).toPrecision(2)}M` : `${Math.round(v / 1000)}k`;
      s.append(svg("line", { x1: l, x2: w - r, y1: Y(g), y2: Y(g), stroke: "#dadce0" }),
        text(l - 6, Y(g) + 4, txt, { "text-anchor": "end", "font-size": 10 }));
    }
    for (let c = 0; c < 4; c++) s.append(text(X(c), h - 10, `rated ${c}`, { "text-anchor": "middle" }));
    points.forEach((p, i) => {
      const jitter = (((i * 7919) % 13) / 13 - 0.5) * 0.5;
      s.append(svg("circle", { cx: X(p.x + jitter), cy: Y(logs[i]), r: 5, fill: RATING_COLOURS[p.x],
                               "fill-opacity": 0.8, class: "point" }, svg("title", {}, p.title)));
    });
    return s;
  }

  /* Points {x: 0..1, y: 0..3, colour, title, href} on a 0–100% by 0–3 grid, with dashed
     threshold lines at tx and ty; a point with href is a link. */
  function thresholdScatter(points, { tx, ty, xLabel, yLabel, label }) {
    const w = 560, h = 320, l = 44, r = 16, t = 14, b = 40;
    // y runs a little past 0..3 so dots on the extremes are not cut in half.
    const X = (v) => l + v * (w - l - r), Y = (v) => t + (1 - (v + 0.15) / 3.3) * (h - t - b);
    const s = frame(w, h, label);
    for (const g of [0, 0.25, 0.5, 0.75, 1]) {
      s.append(svg("line", { x1: X(g), x2: X(g), y1: Y(3.15), y2: Y(-0.15), stroke: "#eceff1" }),
        text(X(g), h - b + 16, `${g * 100}%`, { "text-anchor": "middle", "font-size": 10 }));
    }
    for (let g = 0; g <= 3; g++) {
      s.append(svg("line", { x1: l, x2: w - r, y1: Y(g), y2: Y(g), stroke: "#dadce0" }),
        text(l - 6, Y(g) + 4, String(g), { "text-anchor": "end", "font-size": 10 }));
    }
    s.append(svg("line", { x1: X(tx), x2: X(tx), y1: Y(3.15), y2: Y(-0.15), stroke: "#57606a", "stroke-dasharray": "5 4" }),
      svg("line", { x1: l, x2: w - r, y1: Y(ty), y2: Y(ty), stroke: "#57606a", "stroke-dasharray": "5 4" }),
      text((l + w - r) / 2, h - 6, xLabel, { "text-anchor": "middle", "font-size": 11 }),
      text(12, (t + h - b) / 2, yLabel, { "text-anchor": "middle", "font-size": 11,
                                            transform: `rotate(-90 12 ${(t + h - b) / 2})` }));
    points.forEach((p, i) => {
      // A little deterministic jitter keeps equal points from hiding each other.
      const jx = (((i * 7919) % 11) / 11 - 0.5) * 0.03, jy = (((i * 104729) % 13) / 13 - 0.5) * 0.24;
      const dot = svg("circle", { cx: X(Math.min(1.01, Math.max(-0.01, p.x + jx))), cy: Y(Math.min(3.12, Math.max(-0.12, p.y + jy))),
                                  r: 5.5, fill: p.colour, "fill-opacity": 0.85, stroke: "#fff", "stroke-width": 1,
                                  class: "point" }, svg("title", {}, p.title));
      s.append(p.href ? svg("a", { href: p.href, target: "_blank", rel: "noopener noreferrer",
                                   "aria-label": p.title }, dot) : dot);
    });
    return s;
  }

  /* Horizontal bars from zero, largest first: [{label, value, note}]. */
  function rankedBars(items, label) {
    const w = 560, row = 28, h = Math.max(1, items.length) * row + 6, left = 150, right = 150;
    const max = Math.max(1e-9, ...items.map((d) => d.value));
    const s = frame(w, h, label + ": " + items.map((d) => `${d.label} ${fmt(d.value)}`).join(", "));
    items.forEach((d, i) => {
      const y = 3 + i * row, len = Math.max(1, (d.value / max) * (w - left - right));
      s.append(text(left - 8, y + 18, String(d.label).slice(0, 22), { "text-anchor": "end", "font-size": 13 }),
        svg("rect", { x: left, y: y + 4, width: len, height: row - 9, fill: "#1a56db", rx: 3 }),
        text(left + len + 6, y + 18, `${fmt(d.value)}${d.note ? " · " + d.note : ""}`, { "font-size": 12 }));
    });
    return s;
  }

  return { probabilityBars, diverging, bars, line, scatter, thresholdScatter, rankedBars };
})();
