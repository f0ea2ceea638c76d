import { type DragEvent, memo, useId, useRef, useState } from 'react';
import type { Module } from '../api/types';
import { formatMetric, formatShape } from '../lib/format';
import { moduleMetric } from '../lib/moduleMetric';
import { ModuleHoverCard } from './ModuleHoverCard';

export const MODULE_DRAG_TYPE = 'application/x-transplant-module';

/** One draggable module in the palette, with a detail card on hover or focus. */
export const PaletteItem = memo(function PaletteItem({
  module,
  onAdd,
  disabled,
}: {
  module: Module;
  onAdd: (module: Module) => void;
  disabled: boolean;
}) {
  const [cardTop, setCardTop] = useState<number | null>(null);
  const item = useRef<HTMLLIElement>(null);
  const showCard = cardTop !== null;
  // The card is fixed-position beside the palette, level with the item but kept on screen.
  const setShowCard = (show: boolean) => {
    const box = item.current?.getBoundingClientRect();
    setCardTop(show && box ? Math.max(8, Math.min(box.top, window.innerHeight - 340)) : null);
  };
  const cardId = useId();
  const metric = moduleMetric(module);

  const onDragStart = (event: DragEvent) => {
    event.dataTransfer.setData(MODULE_DRAG_TYPE, JSON.stringify(module));
    event.dataTransfer.effectAllowed = 'copy';
    setShowCard(false);
  };

  return (
    <li
      ref={item}
      className={`palette-item palette-item--${module.kind}`}
      draggable={!disabled}
      onDragStart={onDragStart}
      onMouseEnter={() => setShowCard(true)}
      onMouseLeave={() => setShowCard(false)}
      onFocus={() => setShowCard(true)}
      onBlur={() => setShowCard(false)}
      aria-label={`${module.kind} module ${module.name}`}
      aria-describedby={showCard ? cardId : undefined}
      data-module-id={module.id}
    >
      <span className="palette-item__swatch" aria-hidden="true" />
      <span className="palette-item__text">
        <span className="palette-item__name">{module.name}</span>
        <span className="palette-item__meta">
          {module.architecture} ·{' '}
          {formatShape(module.kind === 'category' ? module.output_shape : module.input_shape)}
          {metric && ` · ${metric.label} ${formatMetric(metric.name, metric.value)}`}
        </span>
      </span>
      <button
        type="button"
        className="icon-button"
        aria-label={`Add ${module.name} to the canvas`}
        onClick={() => onAdd(module)}
        disabled={disabled}
      >
        +
      </button>
      {cardTop !== null && <ModuleHoverCard id={cardId} module={module} top={cardTop} />}
    </li>
  );
});
