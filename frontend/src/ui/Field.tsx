import { type ReactElement, cloneElement, useId } from 'react';

/**
 * A labelled form control with an optional hint and error. The label names only the control;
 * the hint and error are linked with aria-describedby so they do not become part of its name.
 */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string;
  error?: string;
  children: ReactElement<Record<string, unknown>>;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, {
        id,
        'aria-describedby': describedBy,
        'aria-invalid': error ? true : undefined,
      })}
      {hint && (
        <small className="muted" id={hintId}>
          {hint}
        </small>
      )}
      {error && (
        <small className="field__error" id={errorId}>
          {error}
        </small>
      )}
    </div>
  );
}
