// Reads the QR code the account page draws, as a phone would: the SVG's squares are painted into a
// bitmap and decoded by jsQR (a reader independent of the library that drew them).
import jsQR from 'jsqr';

const SCALE = 4; // pixels per SVG unit / 10, so a module is 4×4 pixels

/** The text of the QR code in `svg` (a viewBox and one path of `Mx,yh10v10h-10z` squares), or null. */
export function readQr(svg: string): string | null {
  const box = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const path = /<path[^>]* d="([^"]+)"/.exec(svg)?.[1];
  if (!box || !path) return null;
  const size = Math.ceil((Number(box[1]) / 10) * SCALE);
  const pixels = new Uint8ClampedArray(size * size * 4).fill(255);
  for (const m of path.matchAll(/M(\d+),(\d+)h(\d+)v(\d+)/g)) {
    const [x, y, w, h] = [m[1], m[2], m[3], m[4]].map((v) => Math.round((Number(v) / 10) * SCALE));
    for (let row = y as number; row < (y as number) + (h as number); row++)
      for (let col = x as number; col < (x as number) + (w as number); col++) {
        const i = (row * size + col) * 4;
        pixels[i] = pixels[i + 1] = pixels[i + 2] = 0;
      }
  }
  return jsQR(pixels, size, size)?.data ?? null;
}
