import { useEffect, useRef } from 'react';
import type { Prediction } from '../../api/types';

const OVERLAY = [109, 93, 252]; // the category colour, so the mask reads as "found it"

/** A classification probability bar, or the segmentation mask over the input image. */
export function PredictionView({
  prediction,
  image,
  className,
}: {
  prediction: Prediction;
  image: string | null;
  className: string | null;
}) {
  if (prediction.task === 'classification') {
    const percent = Math.round(prediction.probability * 1000) / 10;
    return (
      <section className="prediction" aria-label="Prediction" role="status">
        <div className="prediction__label">Class probability</div>
        <div className="prediction__value">{percent.toFixed(1)}%</div>
        {className && <div className="muted small">that the image shows a {className}</div>}
        <div
          className="meter"
          role="meter"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-label="Class probability"
        >
          <div className="meter__fill" style={{ width: `${percent}%` }} />
        </div>
      </section>
    );
  }
  return (
    <MaskOverlay mask={prediction.mask} width={prediction.width} height={prediction.height} image={image} />
  );
}

function MaskOverlay({
  mask,
  width,
  height,
  image,
}: {
  mask: number[][];
  width: number;
  height: number;
  image: string | null;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const covered = mask.flat().filter((v) => v > 0).length / Math.max(1, width * height);

  useEffect(() => {
    const element = canvas.current;
    const ctx = element?.getContext('2d');
    if (!element || !ctx) return;
    const size = 224;
    element.width = size;
    element.height = size;
    const drawMask = () => {
      const overlay = new ImageData(width, height);
      for (let y = 0; y < height; y += 1) {
        for (let x = 0; x < width; x += 1) {
          const at = (y * width + x) * 4;
          const on = (mask[y]?.[x] ?? 0) > 0;
          overlay.data.set(on ? [...OVERLAY, 150] : [0, 0, 0, 0], at);
        }
      }
      const scratch = Object.assign(document.createElement('canvas'), { width, height });
      scratch.getContext('2d')?.putImageData(overlay, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(scratch, 0, 0, size, size);
    };
    ctx.fillStyle = '#11151f';
    ctx.fillRect(0, 0, size, size);
    if (!image) return drawMask();
    const picture = new Image();
    picture.onload = () => {
      ctx.drawImage(picture, 0, 0, size, size);
      drawMask();
    };
    picture.src = image;
  }, [mask, width, height, image]);

  return (
    <section className="prediction" aria-label="Prediction" role="status">
      <div className="prediction__label">Segmentation mask</div>
      <canvas
        ref={canvas}
        className="mask-canvas"
        role="img"
        aria-label={`Segmentation mask covering ${(covered * 100).toFixed(1)}% of the image`}
      />
      <div className="muted small">{(covered * 100).toFixed(1)}% of the image is marked.</div>
    </section>
  );
}
