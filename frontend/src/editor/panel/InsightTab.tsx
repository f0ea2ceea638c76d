import { errorMessage } from '../../api/client';
import { useJobInsight } from '../../api/jobs';
import { Heatmap } from './Heatmap';
import { PcaScatter } from './PcaScatter';

/** "See the method": teacher vs student pseudo-gradient maps and the PCA of features. */
export function InsightTab({ jobId }: { jobId: number }) {
  const insight = useJobInsight(jobId);
  if (insight.isPending)
    return (
      <p className="muted" aria-busy="true">
        Computing pseudo-gradients…
      </p>
    );
  if (insight.isError)
    return (
      <p className="alert alert--error" role="alert">
        {errorMessage(insight.error)}
      </p>
    );
  const { teacher, student, pca, cosine } = insight.data;
  return (
    <div className="insight">
      <section aria-labelledby="maps-title">
        <h3 id="maps-title" className="section-title">
          Pseudo-gradient maps
        </h3>
        <p className="muted small">
          Where the teacher and the transplanted student look. Back-distillation matches these.
        </p>
        <div className="heatmap-pair">
          <Heatmap map={teacher} label="Teacher" />
          <Heatmap map={student} label="Student" />
        </div>
        {typeof cosine === 'number' && (
          <p className="insight__cosine">
            Agreement (cosine similarity) <strong>{cosine.toFixed(3)}</strong>
          </p>
        )}
      </section>
      <section aria-labelledby="pca-title">
        <h3 id="pca-title" className="section-title">
          Feature PCA
        </h3>
        <PcaScatter groups={pca} />
      </section>
    </div>
  );
}
