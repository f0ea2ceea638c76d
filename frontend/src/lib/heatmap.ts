/** Viridis control points (matplotlib), interpolated linearly. */
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];

/** The colour for t in [0, 1]. */
export function viridis(t: number): [number, number, number] {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const scaled = clamped * (VIRIDIS.length - 1);
  const low = Math.floor(scaled);
  const high = Math.min(VIRIDIS.length - 1, low + 1);
  const f = scaled - low;
  return [0, 1, 2].map((i) => Math.round(VIRIDIS[low][i] + (VIRIDIS[high][i] - VIRIDIS[low][i]) * f)) as [
    number,
    number,
    number,
  ];
}

/**
 * RGBA pixels for a 2-D map, scaled to its own min..max (a flat map is drawn mid-scale).
 *
 * @param map rows of values; ragged rows are padded with the minimum
 * @returns width, height and pixels ready for `new ImageData(pixels, width, height)`
 */
export function heatmapPixels(map: readonly (readonly number[])[]): {
  width: number;
  height: number;
  pixels: Uint8ClampedArray<ArrayBuffer>;
} {
  const height = map.length;
  const width = Math.max(0, ...map.map((row) => row.length));
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const row of map)
    for (const value of row)
      if (Number.isFinite(value)) {
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
  const span = max - min;
  const pixels = new Uint8ClampedArray(new ArrayBuffer(width * height * 4));
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const value = map[y][x];
      const t = span > 0 && Number.isFinite(value) ? (value - min) / span : span > 0 ? 0 : 0.5;
      const [r, g, b] = viridis(t);
      const at = (y * width + x) * 4;
      pixels[at] = r;
      pixels[at + 1] = g;
      pixels[at + 2] = b;
      pixels[at + 3] = 255;
    }
  }
  return { width, height, pixels };
}
