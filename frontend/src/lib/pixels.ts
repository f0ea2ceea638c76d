/**
 * Reduces RGBA pixels (as from a canvas) to a grayscale grid of 0..1 values by box averaging,
 * the `pixels` body of the predict endpoint. Transparent pixels count as black background.
 *
 * @param rgba pixels, 4 bytes each, row-major
 * @param width source width
 * @param height source height
 * @param size output width and height
 */
export function toGrayscaleGrid(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  size: number,
): number[][] {
  const grid: number[][] = [];
  for (let gy = 0; gy < size; gy += 1) {
    const row: number[] = [];
    const y0 = Math.floor((gy * height) / size);
    const y1 = Math.max(y0 + 1, Math.floor(((gy + 1) * height) / size));
    for (let gx = 0; gx < size; gx += 1) {
      const x0 = Math.floor((gx * width) / size);
      const x1 = Math.max(x0 + 1, Math.floor(((gx + 1) * width) / size));
      let sum = 0;
      let count = 0;
      for (let y = y0; y < y1; y += 1) {
        for (let x = x0; x < x1; x += 1) {
          const at = (y * width + x) * 4;
          const alpha = rgba[at + 3] / 255;
          const luminance = (0.299 * rgba[at] + 0.587 * rgba[at + 1] + 0.114 * rgba[at + 2]) / 255;
          sum += luminance * alpha;
          count += 1;
        }
      }
      row.push(Math.round((sum / count) * 1000) / 1000);
    }
    grid.push(row);
  }
  return grid;
}
