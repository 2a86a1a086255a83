// A small line chart as SVG text (no library): p50 latency of each hot request against data size,
// sizes on a log axis.

export interface ChartPoint {
  size: number;
  p50: ReadonlyMap<string, number>;
}

const COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#637939',
  '#843c39',
];
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function latencyChart(points: readonly ChartPoint[]): string {
  const [W, H, left, right, top, bottom] = [900, 460, 60, 330, 30, 50];
  const names = [...(points[0]?.p50.keys() ?? [])];
  const maxY = Math.max(1, ...points.flatMap((p) => [...p.p50.values()].filter(Number.isFinite))) * 1.1;
  const sizes = points.map((p) => p.size);
  const [lo, hi] = [Math.log10(Math.min(...sizes)), Math.log10(Math.max(...sizes))];
  const x = (size: number) => left + ((Math.log10(size) - lo) / Math.max(hi - lo, 1e-9)) * (W - left - right);
  const y = (ms: number) => H - bottom - (ms / maxY) * (H - top - bottom);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="18" font-size="14">p50 latency (ms) of each hot request against documents per collection</text>`,
    `<line x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}" stroke="black"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}" stroke="black"/>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const v = (maxY / 5) * i;
    out.push(
      `<line x1="${left}" y1="${y(v)}" x2="${W - right}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`,
    );
  }
  for (const size of sizes)
    out.push(
      `<text x="${x(size)}" y="${H - bottom + 18}" text-anchor="middle">${size.toLocaleString('en')}</text>`,
    );
  names.forEach((name, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = points.map((p) => `${x(p.size).toFixed(1)},${y(p.p50.get(name) ?? 0).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    const ly = top + 10 + i * 18;
    out.push(
      `<line x1="${W - right + 15}" y1="${ly}" x2="${W - right + 35}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${W - right + 40}" y="${ly + 4}">${escapeXml(name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}
