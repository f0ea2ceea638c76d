import { type PointerEvent, forwardRef, useImperativeHandle, useRef } from 'react';
import { toGrayscaleGrid } from '../../lib/pixels';

export interface DrawingPadHandle {
  /** The drawing as a size×size grid of 0..1, or null when nothing was drawn. */
  pixels: (size: number) => number[][] | null;
  clear: () => void;
  canvas: () => HTMLCanvasElement | null;
}

const SIZE = 224;

/** A square canvas to draw white strokes on black with mouse, pen or touch. */
export const DrawingPad = forwardRef<DrawingPadHandle, { onChange: () => void }>(function DrawingPad(
  { onChange },
  ref,
) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const drawn = useRef(false);

  const context = () => canvas.current?.getContext('2d', { willReadFrequently: true }) ?? null;
  const point = (event: PointerEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) / box.width) * SIZE,
      y: ((event.clientY - box.top) / box.height) * SIZE,
    };
  };

  useImperativeHandle(ref, () => ({
    pixels: (size) => {
      const ctx = context();
      if (!ctx || !drawn.current) return null;
      return toGrayscaleGrid(ctx.getImageData(0, 0, SIZE, SIZE).data, SIZE, SIZE, size);
    },
    clear: () => {
      context()?.clearRect(0, 0, SIZE, SIZE);
      drawn.current = false;
      onChange();
    },
    canvas: () => canvas.current,
  }));

  const start = (event: PointerEvent<HTMLCanvasElement>) => {
    const ctx = context();
    if (!ctx) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    drawing.current = true;
    const { x, y } = point(event);
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#fff';
    ctx.lineWidth = 18;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.arc(x, y, 9, 0, Math.PI * 2);
    ctx.fill();
    ctx.beginPath();
    ctx.moveTo(x, y);
    drawn.current = true;
  };
  const move = (event: PointerEvent<HTMLCanvasElement>) => {
    const ctx = context();
    if (!drawing.current || !ctx) return;
    const { x, y } = point(event);
    ctx.lineTo(x, y);
    ctx.stroke();
  };
  const end = () => {
    if (drawing.current) onChange();
    drawing.current = false;
  };

  return (
    <canvas
      ref={canvas}
      width={SIZE}
      height={SIZE}
      className="drawing-pad"
      role="img"
      aria-label="Drawing area: draw with the mouse, pen or finger"
      onPointerDown={start}
      onPointerMove={move}
      onPointerUp={end}
      onPointerLeave={end}
    />
  );
});
