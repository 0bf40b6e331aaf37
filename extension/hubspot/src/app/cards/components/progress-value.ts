/**
 * ProgressBar takes a JS number. The exact attainment stays a decimal string everywhere else
 * (the label shows the backend's display text); this number only sets the bar's fill, so
 * float rounding cannot reach a figure anyone reads. Over-attainment fills the bar.
 */
export function progressFill(percent: string): number {
  const value = Number(percent);
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(value, 100);
}
