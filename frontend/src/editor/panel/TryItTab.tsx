import { useRef, useState } from 'react';
import { errorMessage } from '../../api/client';
import { galleryImageUrl, useEdgeGallery } from '../../api/datasets';
import type { GalleryItem } from '../../api/types';
import { usePredict } from '../../api/edges';
import { DrawingPad, type DrawingPadHandle } from './DrawingPad';
import { PredictionView } from './PredictionView';

const GRID = 64;

/** Run the transplanted network on a drawing or an uploaded image. */
export function TryItTab({
  graphId,
  edgeId,
  taskName,
  className,
}: {
  graphId: number;
  edgeId: number;
  taskName: string | null;
  className: string | null;
}) {
  const pad = useRef<DrawingPadHandle>(null);
  const [source, setSource] = useState<'draw' | 'upload' | 'gallery'>('draw');
  const gallery = useEdgeGallery(graphId, edgeId);
  const [picked, setPicked] = useState<GalleryItem | null>(null);
  const sources = gallery.data?.length
    ? (['draw', 'upload', 'gallery'] as const)
    : (['draw', 'upload'] as const);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const predict = usePredict(graphId, edgeId);

  const tryGalleryImage = async (item: GalleryItem) => {
    setPicked(item);
    predict.reset();
    const url = galleryImageUrl(graphId, edgeId, item.index);
    setPreview(url);
    const blob = await (await fetch(url, { credentials: 'same-origin' })).blob();
    predict.mutate({
      kind: 'image',
      file: new File([blob], `test-${item.index}.png`, { type: 'image/png' }),
    });
  };

  const run = () => {
    setHint(null);
    if (source === 'gallery') {
      if (picked) void tryGalleryImage(picked);
      else setHint('Pick a test image first.');
      return;
    }
    if (source === 'upload') {
      if (!file) return setHint('Choose a PNG or JPEG image first.');
      predict.mutate({ kind: 'image', file });
      return;
    }
    const pixels = pad.current?.pixels(GRID);
    if (!pixels) return setHint('Draw something first.');
    setPreview(pad.current?.canvas()?.toDataURL('image/png') ?? null);
    predict.mutate({ kind: 'pixels', pixels });
  };

  const choose = (picked: File | null) => {
    setFile(picked);
    predict.reset();
    if (preview?.startsWith('blob:')) URL.revokeObjectURL(preview);
    setPreview(picked ? URL.createObjectURL(picked) : null);
  };

  return (
    <div className="try-it">
      <p className="muted small">
        Feed an image through the category module, the trained adapter and the {taskName ?? 'task'} module.
      </p>
      <div className="segmented" role="radiogroup" aria-label="Image source">
        {sources.map((value) => (
          <label key={value} className={source === value ? 'is-active' : ''}>
            <input
              type="radio"
              name="image-source"
              value={value}
              checked={source === value}
              onChange={() => {
                setSource(value);
                predict.reset();
              }}
            />
            {value === 'draw' ? 'Draw' : value === 'upload' ? 'Upload' : 'Test images'}
          </label>
        ))}
      </div>
      {source === 'gallery' ? (
        <ul className="gallery" aria-label="Test images of the dataset">
          {gallery.data?.map((item) => (
            <li key={item.index}>
              <button
                type="button"
                aria-pressed={picked?.index === item.index}
                title={`true label: ${item.label}`}
                onClick={() => void tryGalleryImage(item)}
              >
                <img
                  src={galleryImageUrl(graphId, edgeId, item.index)}
                  alt={`test image ${item.index + 1}, ${item.label}`}
                />
              </button>
            </li>
          ))}
        </ul>
      ) : source === 'draw' ? (
        <div className="try-it__draw">
          <DrawingPad ref={pad} onChange={() => predict.reset()} />
          <button
            type="button"
            className="button button--ghost button--small"
            onClick={() => pad.current?.clear()}
          >
            Clear drawing
          </button>
        </div>
      ) : (
        <label className="field">
          <span>Image (PNG or JPEG)</span>
          <input
            type="file"
            accept="image/png,image/jpeg"
            onChange={(e) => choose(e.target.files?.[0] ?? null)}
          />
        </label>
      )}
      <button type="button" className="button button--primary" onClick={run} disabled={predict.isPending}>
        {predict.isPending ? 'Running…' : 'Run prediction'}
      </button>
      {hint && (
        <p className="alert alert--info" role="alert">
          {hint}
        </p>
      )}
      {predict.isError && (
        <p className="alert alert--error" role="alert">
          {errorMessage(predict.error)}
        </p>
      )}
      {predict.data && source === 'gallery' && picked && (
        <p className="try-it__truth" role="status">
          True label: <strong>{picked.label}</strong>
        </p>
      )}
      {predict.data && <PredictionView prediction={predict.data} image={preview} className={className} />}
    </div>
  );
}
