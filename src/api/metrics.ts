/**
 * A small Prometheus registry (text exposition format 0.0.4), written by hand to avoid a
 * dependency: counters, gauges and histograms with labels. Label values must be bounded sets
 * (route patterns, tiers, model names), never member ids or raw URLs.
 */

export type Labels = Record<string, string>;

interface MetricBase {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, ascending; `+Inf` is added. */
  buckets?: readonly number[];
}

/** Thrown when a metric name or label set is misused; a programming error, found in tests. */
export class MetricError extends Error {
  readonly code = 'METRIC_MISUSE';

  constructor(message: string) {
    super(message);
    this.name = 'MetricError';
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const parts = names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? '')}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

abstract class LabelledMetric<S> implements MetricBase {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly series = new Map<string, { values: string[]; state: S }>();

  constructor(options: MetricOptions) {
    if (!NAME.test(options.name)) throw new MetricError(`invalid metric name ${JSON.stringify(options.name)}`);
    for (const l of options.labelNames ?? []) if (!LABEL.test(l) || l === 'le') throw new MetricError(`invalid label name ${JSON.stringify(l)} on ${options.name}`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = [...(options.labelNames ?? [])];
  }

  protected abstract initial(): S;

  protected stateFor(labels: Labels = {}): S {
    const keys = Object.keys(labels);
    if (keys.length !== this.labelNames.length || !this.labelNames.every((n) => n in labels)) {
      throw new MetricError(`${this.name} takes labels [${this.labelNames.join(', ')}], got [${keys.join(', ')}]`);
    }
    const values = this.labelNames.map((n) => String(labels[n]));
    const key = JSON.stringify(values);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { values, state: this.initial() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  /** Drop one labelled series (e.g. a retired model version). */
  remove(labels: Labels): void {
    this.series.delete(JSON.stringify(this.labelNames.map((n) => String(labels[n]))));
  }

  /** Current labelled series, for code that needs to find and remove some. */
  labelSets(): Labels[] {
    return [...this.series.values()].map(({ values }) => Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? ''])));
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const { values, state } of this.series.values()) lines.push(...this.renderSeries(values, state));
    return lines;
  }

  protected abstract renderSeries(values: string[], state: S): string[];
}

/** A monotonically increasing count. */
export class Counter extends LabelledMetric<{ value: number }> {
  readonly type = 'counter' as const;

  protected initial(): { value: number } {
    return { value: 0 };
  }

  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0)) throw new MetricError(`${this.name}: a counter only goes up (got ${by})`);
    this.stateFor(labels).value += by;
  }

  get(labels?: Labels): number {
    return this.stateFor(labels).value;
  }

  protected renderSeries(values: string[], state: { value: number }): string[] {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatValue(state.value)}`];
  }
}

/** A value that goes up and down. */
export class Gauge extends LabelledMetric<{ value: number }> {
  readonly type = 'gauge' as const;

  protected initial(): { value: number } {
    return { value: 0 };
  }

  set(labels: Labels | undefined, value: number): void {
    this.stateFor(labels).value = value;
  }

  inc(labels?: Labels, by = 1): void {
    this.stateFor(labels).value += by;
  }

  dec(labels?: Labels, by = 1): void {
    this.stateFor(labels).value -= by;
  }

  get(labels?: Labels): number {
    return this.stateFor(labels).value;
  }

  protected renderSeries(values: string[], state: { value: number }): string[] {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatValue(state.value)}`];
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

/** Default latency buckets in seconds: 5 ms to 10 s. */
export const DEFAULT_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** Observations counted into cumulative buckets. */
export class Histogram extends LabelledMetric<HistogramState> {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];

  constructor(options: HistogramOptions) {
    super(options);
    const buckets = [...(options.buckets ?? DEFAULT_LATENCY_BUCKETS)];
    if (buckets.length === 0 || buckets.some((b, i) => i > 0 && b <= (buckets[i - 1] ?? -Infinity))) {
      throw new MetricError(`${options.name}: buckets must be non-empty and strictly ascending`);
    }
    this.buckets = buckets;
  }

  protected initial(): HistogramState {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  observe(labels: Labels | undefined, value: number): void {
    const state = this.stateFor(labels);
    // Non-cumulative per bucket here; rendering accumulates (`le` is "less than or equal").
    const index = this.buckets.findIndex((b) => value <= b);
    if (index >= 0) state.counts[index] = (state.counts[index] ?? 0) + 1;
    state.sum += value;
    state.count += 1;
  }

  protected renderSeries(values: string[], state: HistogramState): string[] {
    const lines: string[] = [];
    let cumulative = 0;
    this.buckets.forEach((bound, i) => {
      cumulative += state.counts[i] ?? 0;
      lines.push(`${this.name}_bucket${labelText(this.labelNames, values, ['le', formatValue(bound)])} ${cumulative}`);
    });
    lines.push(`${this.name}_bucket${labelText(this.labelNames, values, ['le', '+Inf'])} ${state.count}`);
    lines.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatValue(state.sum)}`);
    lines.push(`${this.name}_count${labelText(this.labelNames, values)} ${state.count}`);
    return lines;
  }
}

/** Holds every metric; other modules register theirs through it (get-or-create by name). */
export class MetricsRegistry {
  readonly #metrics = new Map<string, MetricBase>();

  counter(options: MetricOptions): Counter {
    return this.#getOrCreate(options, 'counter', () => new Counter(options)) as Counter;
  }

  gauge(options: MetricOptions): Gauge {
    return this.#getOrCreate(options, 'gauge', () => new Gauge(options)) as Gauge;
  }

  histogram(options: HistogramOptions): Histogram {
    return this.#getOrCreate(options, 'histogram', () => new Histogram(options)) as Histogram;
  }

  /** The exposition text, served as `text/plain; version=0.0.4`. */
  render(): string {
    const lines: string[] = [];
    for (const metric of this.#metrics.values()) lines.push(...metric.render());
    return lines.join('\n') + '\n';
  }

  #getOrCreate(options: MetricOptions, type: MetricBase['type'], create: () => MetricBase): MetricBase {
    const existing = this.#metrics.get(options.name);
    if (existing) {
      const sameLabels = existing.labelNames.join(',') === (options.labelNames ?? []).join(',');
      if (existing.type !== type || !sameLabels) throw new MetricError(`metric ${options.name} already registered as a ${existing.type} with labels [${existing.labelNames.join(', ')}]`);
      return existing;
    }
    const metric = create();
    this.#metrics.set(options.name, metric);
    return metric;
  }
}

/** Content type of the exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The registry plus Stratum's standard series: HTTP traffic (by route pattern, method, status),
 * scores by tier, and which model versions are loaded.
 */
export class Metrics {
  readonly registry: MetricsRegistry;
  readonly httpRequests: Counter;
  readonly httpDuration: Histogram;
  readonly scoresByTier: Counter;
  readonly modelInfo: Gauge;

  constructor(registry: MetricsRegistry = new MetricsRegistry()) {
    this.registry = registry;
    this.httpRequests = registry.counter({ name: 'stratum_http_requests_total', help: 'HTTP requests by route pattern, method and status.', labelNames: ['method', 'route', 'status'] });
    this.httpDuration = registry.histogram({ name: 'stratum_http_request_duration_seconds', help: 'HTTP request latency by route pattern, method and status.', labelNames: ['method', 'route', 'status'] });
    this.scoresByTier = registry.counter({ name: 'stratum_scores_total', help: 'Members scored, by risk class.', labelNames: ['tier'] });
    this.modelInfo = registry.gauge({ name: 'stratum_model_info', help: 'Model versions being served (value is always 1).', labelNames: ['name', 'version'] });
  }

  /** Record one finished HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  /** Mark `version` as the served version of model `name`, replacing any earlier one. */
  setModelVersion(name: string, version: string): void {
    for (const labels of this.modelInfo.labelSets()) if (labels.name === name) this.modelInfo.remove(labels);
    this.modelInfo.set({ name, version }, 1);
  }

  render(): string {
    return this.registry.render();
  }
}
