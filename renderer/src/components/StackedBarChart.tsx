/**
 * A small hand-made stacked bar chart (SVG, no chart library): one bar per time bucket, stacked
 * by series. Colours come from CSS classes (series-0 … series-7), so both themes keep contrast.
 * A table with the same numbers follows for screen readers and exact values.
 */
export interface ChartBucket {
  label: string;
  counts: Record<string, number>;
}

const WIDTH = 640;
const HEIGHT = 180;
const AXIS = 24;
const MAX_SERIES_COLOURS = 8;

export function StackedBarChart({ title, buckets, series }: { title: string; buckets: readonly ChartBucket[]; series: readonly string[] }) {
  const totals = buckets.map((bucket) => series.reduce((sum, name) => sum + (bucket.counts[name] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const slot = buckets.length > 0 ? (WIDTH - AXIS) / buckets.length : 0;
  const barWidth = Math.max(2, slot * 0.7);
  const plotHeight = HEIGHT - AXIS;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title}: ${totals.reduce((a, b) => a + b, 0)} events`}>
        <line className="chart-axis" x1={AXIS} y1={plotHeight} x2={WIDTH} y2={plotHeight} />
        <text className="chart-label" x={AXIS - 4} y={10} textAnchor="end">
          {max}
        </text>
        <text className="chart-label" x={AXIS - 4} y={plotHeight} textAnchor="end">
          0
        </text>
        {buckets.map((bucket, index) => {
          let y = plotHeight;
          const x = AXIS + index * slot + (slot - barWidth) / 2;
          return (
            <g key={bucket.label}>
              {series.map((name, seriesIndex) => {
                const count = bucket.counts[name] ?? 0;
                if (count === 0) return null;
                const height = (count / max) * (plotHeight - 12);
                y -= height;
                return (
                  <rect key={name} className={`series-${seriesIndex % MAX_SERIES_COLOURS}`} x={x} y={y} width={barWidth} height={height}>
                    <title>{`${bucket.label}: ${name} ${count}`}</title>
                  </rect>
                );
              })}
              {index % Math.max(1, Math.ceil(buckets.length / 8)) === 0 ? (
                <text className="chart-label" x={x + barWidth / 2} y={HEIGHT - 6} textAnchor="middle">
                  {bucket.label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <ul className="chart-legend" aria-label="Legend">
        {series.map((name, index) => (
          <li key={name}>
            <span className={`legend-swatch series-${index % MAX_SERIES_COLOURS}`} aria-hidden="true" />
            {name}
          </li>
        ))}
      </ul>
    </figure>
  );
}
