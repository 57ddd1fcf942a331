/** Chart colours from the Backstage UI theme, with fallbacks for apps that do not load its variables. */
export const CHART_COLORS = {
  primary: 'var(--bui-accent-bg, #1f5493)',
  danger: 'var(--bui-negative-bg, #c62828)',
  warning: 'var(--bui-warning-bg, #b26a00)',
  info: 'var(--bui-accent-bg-hover, #0277bd)',
};
