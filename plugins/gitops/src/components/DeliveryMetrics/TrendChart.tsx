import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

/** One series of a trend: which field of the points, named and coloured. */
export interface TrendSeries {
  /** The field of each point that holds the value. */
  key: string;
  name: string;
  color: string;
}

// Charts size to their card; this is the size used before the card is measured (and in tests).
const INITIAL_WIDTH = 320;

/**
 * A small chart of a trend. `description` is what a screen reader hears instead of the picture, so it should
 * say what the chart shows in words.
 */
export function TrendChart(props: {
  kind: 'bar' | 'line';
  data: object[];
  xKey: string;
  series: TrendSeries[];
  description: string;
  height?: number;
  formatX?: (value: string) => string;
  formatY?: (value: number) => string;
  legend?: boolean;
}) {
  const { kind, data, xKey, series, height = 96, formatX, formatY } = props;
  const axes = [
    <CartesianGrid key="grid" strokeDasharray="3 3" vertical={false} />,
    <XAxis
      key="x"
      dataKey={xKey}
      tickFormatter={formatX}
      tick={{ fontSize: 11 }}
      minTickGap={16}
    />,
    <YAxis
      key="y"
      tickFormatter={formatY}
      tick={{ fontSize: 11 }}
      width={formatY ? 48 : 28}
      allowDecimals={false}
    />,
    <Tooltip
      key="tooltip"
      labelFormatter={label =>
        formatX ? formatX(String(label)) : String(label)
      }
      formatter={value =>
        formatY && typeof value === 'number' ? formatY(value) : String(value)
      }
    />,
    ...(props.legend ? [<Legend key="legend" />] : []),
  ];
  return (
    <div
      role="img"
      aria-label={props.description}
      style={{ width: '100%', height }}
    >
      <ResponsiveContainer
        width="100%"
        height={height}
        initialDimension={{ width: INITIAL_WIDTH, height }}
      >
        {kind === 'bar' ? (
          <BarChart
            data={data}
            margin={{ top: 4, right: 4, bottom: 0, left: 0 }}
          >
            {axes}
            {series.map(s => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.name}
                fill={s.color}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        ) : (
          <LineChart
            data={data}
            margin={{ top: 4, right: 4, bottom: 0, left: 0 }}
          >
            {axes}
            {series.map(s => (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.name}
                stroke={s.color}
                dot={false}
                connectNulls
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        )}
      </ResponsiveContainer>
    </div>
  );
}
