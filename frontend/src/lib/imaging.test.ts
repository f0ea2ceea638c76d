import { describe, expect, it } from 'vitest';
import { heatmapPixels, viridis } from './heatmap';
import { toGrayscaleGrid } from './pixels';

describe('heatmapPixels', () => {
  it('maps the minimum to dark purple and the maximum to yellow', () => {
    const { width, height, pixels } = heatmapPixels([
      [0, 1],
      [0.5, 0.25],
    ]);
    expect([width, height]).toEqual([2, 2]);
    expect([...pixels.slice(0, 4)]).toEqual([...viridis(0), 255]);
    expect([...pixels.slice(4, 8)]).toEqual([...viridis(1), 255]);
  });

  it('draws a flat map mid-scale instead of dividing by zero', () => {
    const { pixels } = heatmapPixels([[3, 3]]);
    expect([...pixels.slice(0, 3)]).toEqual(viridis(0.5));
  });
});

describe('toGrayscaleGrid', () => {
  it('averages white strokes on a transparent canvas into 0..1 cells', () => {
    const width = 4;
    const height = 4;
    const rgba = new Uint8ClampedArray(width * height * 4);
    // Paint the left half opaque white.
    for (let y = 0; y < height; y += 1)
      for (let x = 0; x < 2; x += 1) rgba.set([255, 255, 255, 255], (y * width + x) * 4);
    expect(toGrayscaleGrid(rgba, width, height, 2)).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });
});
