import type { FastifyInstance } from 'fastify';
import {
  Counter,
  type CounterConfiguration,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';

/**
 * The process's one metrics registry (prom-client, Prometheus text format). Both services add
 * to it, so when `signet start` runs them in one process every `/metrics` shows both, told apart
 * by the `service` label.
 */
export const metricsRegistry = new Registry();

let processMetricsStarted = false;

/**
 * prom-client's process and Node metrics (`process_cpu_seconds_total`,
 * `process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`, `nodejs_heap_size_used_bytes`,
 * GC, handles…), registered once per process; measured at scrape time.
 */
export function startProcessMetrics(): void {
  if (processMetricsStarted) return;
  processMetricsStarted = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** A counter of the process registry, created on first use (apps and tests build many listeners per process). */
export function counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
  const existing = metricsRegistry.getSingleMetric(config.name);
  return (existing as Counter<L> | undefined) ?? new Counter({ ...config, registers: [metricsRegistry] });
}

/** A histogram of the process registry, created on first use. */
export function histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
  const existing = metricsRegistry.getSingleMetric(config.name);
  return (existing as Histogram<L> | undefined) ?? new Histogram({ ...config, registers: [metricsRegistry] });
}

/**
 * A counter (created on first use) whose values are `histogram`'s `_count` per label set, copied
 * at scrape time, so a request that updates the histogram need not update the counter too.
 */
export function counterFromHistogramCount<L extends string>(
  config: { name: string; help: string; labelNames: readonly L[] },
  source: Histogram<L>,
): Counter<L> {
  const existing = metricsRegistry.getSingleMetric(config.name);
  if (existing) return existing as Counter<L>;
  const countName = `${(source as unknown as { name: string }).name}_count`;
  return new Counter<L>({
    ...config,
    labelNames: [...config.labelNames],
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      for (const sample of (await source.get()).values) {
        if (sample.metricName === countName && sample.value > 0) {
          this.inc(sample.labels as Partial<Record<L, string | number>>, sample.value);
        }
      }
    },
  });
}

/** One sample of a {@link gaugeSource}: label values and the value. */
export interface GaugeSample<L extends string> {
  labels: Partial<Record<L, string>>;
  value: number;
}

type Source<L extends string> = () => Promise<GaugeSample<L>[]> | GaugeSample<L>[];
const sources = new Map<string, Set<Source<string>>>();

/**
 * Adds a source to the gauge `name`, read at scrape time (a database count, a pool's size). The
 * gauge sums its sources' samples per label set; a source that fails is skipped (the scrape still
 * answers). Returns the function that removes the source again (call it when its owner closes).
 *
 * @example
 * const remove = gaugeSource({ name: 'signet_envelopes', help: 'Envelopes by status', labelNames: ['status'] }, async () => countByStatus(db));
 */
export function gaugeSource<L extends string>(
  config: { name: string; help: string; labelNames?: readonly L[] },
  source: Source<L>,
): () => void {
  let set = sources.get(config.name);
  if (!set) {
    const own = new Set<Source<string>>();
    set = own;
    sources.set(config.name, own);
    new Gauge<string>({
      name: config.name,
      help: config.help,
      labelNames: [...(config.labelNames ?? [])],
      registers: [metricsRegistry],
      async collect() {
        this.reset();
        for (const read of own) {
          let samples: GaugeSample<string>[];
          try {
            samples = await read();
          } catch {
            continue;
          }
          for (const sample of samples) this.inc(sample.labels as Record<string, string>, sample.value);
        }
      },
    });
  }
  set.add(source as Source<string>);
  const owned = set;
  return () => {
    owned.delete(source as Source<string>);
  };
}

/** Latency buckets of request and job histograms, in seconds: 5 ms to 30 s. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The metrics body and its content type, for a `/metrics` route. */
export async function scrapeMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}

/**
 * `GET /metrics`: the process registry in Prometheus text format, never cached. Register it on a
 * listener that is not public (accounts' admin listener, the Signer's metrics listener).
 */
export function metricsRoute(app: FastifyInstance): void {
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await scrapeMetrics();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}

/**
 * Adds a database pool to `signet_db_pool_connections{service,state}` (state `total`, `idle`,
 * `waiting`), read at scrape time; `stats` answers `undefined` on SQLite, which has no pool.
 * Returns the function that removes it.
 */
export function databasePoolMetrics(
  service: string,
  stats: () => { total: number; idle: number; waiting: number } | undefined,
): () => void {
  return gaugeSource(
    {
      name: 'signet_db_pool_connections',
      help: 'PostgreSQL pool connections by state: total (open), idle, waiting (checkouts queued for a connection).',
      labelNames: ['service', 'state'],
    },
    () => {
      const s = stats();
      if (!s) return [];
      return (['total', 'idle', 'waiting'] as const).map((state) => ({ labels: { service, state }, value: s[state] }));
    },
  );
}
