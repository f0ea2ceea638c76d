import { useRef, useState } from 'react';
import { errorMessage } from '../../api/client';
import { usePredict } from '../../api/edges';
import { DrawingPad, type DrawingPadHandle } from './DrawingPad';
import { PredictionView } from './PredictionView';

const GRID = 64;

/** Run the transplanted network on a drawing or an uploaded image. */
export function TryItTab({ graphId, edgeId, taskName, className }: { graphId: number; edgeId: number; taskName: string | null; className: string | null }) {
  const pad = useRef<DrawingPadHandle>(null);
  const [source, setSource] = useState<'draw' | 'upload'>('draw');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [hint, setHint] = useState<string | null>(null);
  const predict = usePredict(graphId, edgeId);

  const run = () => {
    setHint(null);
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
        {(['draw', 'upload'] as const).map((value) => (
          <label key={value} className={source === value ? 'is-active' : ''}>
            <input type="radio" name="image-source" value={value} checked={source === value} onChange={() => { setSource(value); predict.reset(); }} />
            {value === 'draw' ? 'Draw' : 'Upload'}
          </label>
        ))}
      </div>
      {source === 'draw' ? (
        <div className="try-it__draw">
          <DrawingPad ref={pad} onChange={() => predict.reset()} />
          <button type="button" className="button button--ghost button--small" onClick={() => pad.current?.clear()}>
            Clear drawing
          </button>
        </div>
      ) : (
        <label className="field">
          <span>Image (PNG or JPEG)</span>
          <input type="file" accept="image/png,image/jpeg" onChange={(e) => choose(e.target.files?.[0] ?? null)} />
        </label>
      )}
      <button type="button" className="button button--primary" onClick={run} disabled={predict.isPending}>
        {predict.isPending ? 'Running…' : 'Run prediction'}
      </button>
      {hint && <p className="alert alert--info" role="alert">{hint}</p>}
      {predict.isError && <p className="alert alert--error" role="alert">{errorMessage(predict.error)}</p>}
      {predict.data && <PredictionView prediction={predict.data} image={preview} className={className} />}
    </div>
  );
}
