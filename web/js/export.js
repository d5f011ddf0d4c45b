// Export what you see: the map as it is on screen, with a title, the legend, the school key, a
// scale bar, the date, the data vintages and the attribution, as a PNG image or as one A4 / A3
// landscape page to print or save as PDF. The map's canvas keeps its drawing buffer, so the
// picture is the one on screen.

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';
const SIDE = 270; // width of the legend column, CSS pixels
const HEAD = 70; // height of the title, CSS pixels
const BACKGROUND = '#f2f1ed'; // the style's background colour

/** Lines of `text` no wider than `width` in the context's current font. */
function wrap(ctx, text, width) {
  const lines = [];
  let line = '';
  for (const word of String(text).split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > width) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A round length (1, 2 or 5 × 10^n metres) that fits in `maxPx` CSS pixels at the map's centre. */
export function scaleBar(map, maxPx = 120) {
  const lat = map.getCenter().lat;
  // Metres per CSS pixel: the Web Mercator ground resolution for 512-pixel tiles.
  const mpp = (40075016.686 * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** map.getZoom());
  const maxM = mpp * maxPx;
  const pow = 10 ** Math.floor(Math.log10(maxM));
  const metres = [5, 2, 1].map((m) => m * pow).find((m) => m <= maxM) || pow;
  return { metres, px: metres / mpp, label: metres >= 1000 ? `${metres / 1000} km` : `${metres} m` };
}

/**
 * Draws the view on a new canvas. `info`: { title, subtitle, synthetic, legend: { title, items:
 * [{ color, label }] }, schools: null | { title, items }, notes: [string], date }. Returns the
 * canvas and where each legend swatch was drawn (canvas pixels), for checking.
 */
export function composeView(map, info) {
  const src = map.getCanvas();
  const cssW = src.clientWidth || src.width;
  const r = src.width / cssW; // device pixels per CSS pixel
  const mapW = src.width / r;
  const mapH = src.height / r;
  const out = document.createElement('canvas');
  const ctx = out.getContext('2d');
  const measure = (font) => { ctx.font = font; };

  // The notes (date, vintages, attribution) under the map, wrapped to the page width.
  const pageW = mapW + SIDE;
  measure(`12px ${FONT}`);
  const noteLines = info.notes.flatMap((n) => wrap(ctx, n, pageW - 32));
  const footH = 16 + noteLines.length * 16 + 10;
  // The legend column: swatches of the metric, then the school key.
  const rows = info.legend.items.length + (info.schools ? info.schools.items.length + 2 : 0) + 3;
  const bodyH = Math.max(mapH, rows * 22 + 40);
  out.width = Math.round(pageW * r);
  out.height = Math.round((HEAD + bodyH + footH) * r);
  ctx.scale(r, r);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, pageW, HEAD + bodyH + footH);

  // Title.
  ctx.fillStyle = '#111111';
  measure(`bold 21px ${FONT}`);
  ctx.fillText(info.title, 16, 30);
  measure(`15px ${FONT}`);
  ctx.fillStyle = '#333333';
  ctx.fillText(info.subtitle, 16, 54);
  if (info.synthetic) {
    measure(`bold 13px ${FONT}`);
    const t = 'SYNTHETIC DATA — not a real place';
    const w = ctx.measureText(t).width + 14;
    ctx.fillStyle = '#f0b400';
    ctx.fillRect(pageW - w - 16, 14, w, 22);
    ctx.fillStyle = '#111111';
    ctx.fillText(t, pageW - w - 9, 30);
  }

  // The map, framed, with a scale bar.
  ctx.drawImage(src, 0, HEAD, mapW, mapH);
  ctx.strokeStyle = '#777777';
  ctx.lineWidth = 1;
  ctx.strokeRect(0.5, HEAD + 0.5, mapW - 1, mapH - 1);
  const bar = scaleBar(map);
  const bx = 14;
  const by = HEAD + mapH - 18;
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(bx - 6, by - 20, bar.px + 12, 30);
  ctx.fillStyle = '#111111';
  ctx.fillRect(bx, by, bar.px, 3);
  ctx.fillRect(bx, by - 5, 2, 8);
  ctx.fillRect(bx + bar.px - 2, by - 5, 2, 8);
  measure(`12px ${FONT}`);
  ctx.fillText(bar.label, bx, by - 8);
  measure(`bold 12px ${FONT}`);
  ctx.fillText('N ↑', mapW - 36, HEAD + 22);

  // Legend column.
  const boxes = [];
  let x = mapW + 16;
  let y = HEAD + 8;
  const heading = (text) => {
    measure(`bold 14px ${FONT}`);
    ctx.fillStyle = '#111111';
    for (const line of wrap(ctx, text, SIDE - 28)) { y += 18; ctx.fillText(line, x, y); }
    y += 8;
  };
  const item = (color, label, round) => {
    ctx.fillStyle = color;
    if (round) {
      ctx.beginPath();
      ctx.arc(x + 8, y + 7, 6, 0, 2 * Math.PI);
      ctx.fill();
      ctx.strokeStyle = color === '#ffffff' ? '#595959' : '#ffffff';
      ctx.lineWidth = 1.5;
      ctx.stroke();
    } else {
      // As the areas are drawn: the fill's opacity over the map's background.
      ctx.fillStyle = BACKGROUND;
      ctx.fillRect(x, y, 24, 15);
      ctx.globalAlpha = info.legend.opacity ?? 1;
      ctx.fillStyle = color;
      ctx.fillRect(x, y, 24, 15);
      ctx.globalAlpha = 1;
      ctx.strokeStyle = 'rgba(0,0,0,0.35)';
      ctx.lineWidth = 1;
      ctx.strokeRect(x + 0.5, y + 0.5, 23, 14);
      boxes.push({ x: (x + 12) * r, y: (y + 7) * r, color });
    }
    ctx.fillStyle = '#111111';
    measure(`13px ${FONT}`);
    const lines = wrap(ctx, label, SIDE - 70);
    lines.forEach((line, i) => ctx.fillText(line, x + 32, y + 12 + i * 15));
    y += Math.max(22, lines.length * 15 + 7);
  };
  heading(info.legend.title);
  for (const it of info.legend.items) item(it.color, it.label, false);
  if (info.schools) {
    y += 10;
    heading(info.schools.title);
    for (const it of info.schools.items) item(it.color, it.label, true);
  }

  // Notes.
  y = HEAD + bodyH + 20;
  measure(`12px ${FONT}`);
  ctx.fillStyle = '#333333';
  for (const line of noteLines) { ctx.fillText(line, 16, y); y += 16; }
  return { canvas: out, boxes };
}

/** Saves `canvas` as `name`. */
export function download(canvas, name) {
  return new Promise((resolve) => {
    canvas.toBlob((blob) => {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      resolve(blob);
    }, 'image/png');
  });
}

/** Puts the picture on the print sheet, sized for `paper` (`A4` or `A3`) landscape. */
export function preparePrint(canvas, paper) {
  let sheet = document.getElementById('print-sheet');
  if (!sheet) {
    sheet = document.createElement('div');
    sheet.id = 'print-sheet';
    sheet.setAttribute('aria-hidden', 'true');
    sheet.innerHTML = '<img alt="">';
    document.body.append(sheet);
  }
  sheet.querySelector('img').src = canvas.toDataURL('image/png');
  let page = document.getElementById('print-page');
  if (!page) {
    page = document.createElement('style');
    page.id = 'print-page';
    document.head.append(page);
  }
  page.textContent = `@page { size: ${paper === 'A3' ? 'A3' : 'A4'} landscape; margin: 8mm; }`;
  document.body.dataset.paper = paper === 'A3' ? 'A3' : 'A4';
}
