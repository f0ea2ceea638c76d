/** A centred message for whole-page loading and error states. */
export function FullPageMessage({
  title,
  detail,
  busy = false,
}: {
  title: string;
  detail?: string;
  busy?: boolean;
}) {
  return (
    <main className="full-message" aria-busy={busy}>
      {busy && <span className="spinner" aria-hidden="true" />}
      <h1>{title}</h1>
      {detail && <p className="muted">{detail}</p>}
    </main>
  );
}
