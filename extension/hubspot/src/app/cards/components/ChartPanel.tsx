import { BarChart, EmptyState, LineChart, Text } from '@hubspot/ui-extensions';
import type { ChartView } from '../../../../../backend/src/cards/view-models.js';
import type { CardApi } from '../lib/card-api.js';
import { LoadFrame } from './CardFrame.js';

/**
 * A chart the backend prepared. `y` is for plotting only (the backend rounds it); tooltips
 * and labels never do arithmetic on it. A chart failing to load leaves the rest of the card intact.
 */
export function ChartPanel({ href, api, testId }: { href: string; api: CardApi; testId: string }) {
  return (
    <LoadFrame load={() => api.get<ChartView>(href, 'chart')} loadKey={href} loading="Loading chart" subject="this chart" inline>
      {(chart) => <Chart chart={chart} testId={testId} />}
    </LoadFrame>
  );
}

function Chart({ chart, testId }: { chart: ChartView; testId: string }) {
  if (chart.data.length === 0) {
    return (
      <EmptyState title={chart.title} imageName="emptyStateCharts" layout="horizontal" imageWidth={120} testId={testId}>
        <Text>Nothing to chart for this period yet.</Text>
      </EmptyState>
    );
  }
  const grouped = chart.data.some((point) => point.series !== undefined);
  const data = chart.data.map((point) => ({ x: point.x, y: point.y, ...(point.series !== undefined ? { series: point.series } : {}) }));
  const yLabel = chart.yUnit === 'money' && chart.currency ? `${chart.yLabel} (${chart.currency})` : chart.yLabel;
  const axes = {
    x: { field: 'x', fieldType: 'category' as const, label: chart.xLabel },
    y: { field: 'y', fieldType: 'linear' as const, label: yLabel },
    ...(grouped ? { options: { groupFieldByColor: 'series' } } : {}),
  };
  const options = { title: chart.title, showLegend: grouped, showTooltips: true };
  return chart.type === 'line' ? (
    <LineChart data={data} axes={axes} options={options} testId={testId} />
  ) : (
    <BarChart data={data} axes={axes} options={options} testId={testId} />
  );
}
