import { useEffect, useRef } from 'react';
import { heatmapPixels } from '../../lib/heatmap';

/** A 2-D map drawn as a viridis image, scaled up with crisp pixels. */
export function Heatmap({ map, label, size = 168 }: { map: number[][]; label: string; size?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context) return;
    const { width, height, pixels } = heatmapPixels(map);
    if (width === 0 || height === 0) return;
    element.width = width;
    element.height = height;
    context.putImageData(new ImageData(pixels, width, height), 0, 0);
  }, [map]);
  return (
    <figure className="heatmap">
      <canvas ref={canvas} role="img" aria-label={label} style={{ width: size, height: size }} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}
