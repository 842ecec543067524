import { context, trace, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin, OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { FastifyInstance } from 'fastify';

/**
 * OpenTelemetry tracing across API → workflow → activities, exported over OTLP/HTTP when an endpoint is configured.
 * Span names and attributes name routes, workflow and activity types, never personal data.
 */
export interface Tracing {
  /** For `Worker.create({ plugins })`: activity and workflow interceptors plus the workflow span exporter. */
  workerPlugin: OpenTelemetryPlugin;
  /** For `new Client({ interceptors })`: starting a workflow continues the caller's trace. */
  clientInterceptors: { workflow: OpenTelemetryWorkflowClientInterceptor[] };
  tracer: Tracer;
  shutdown(): Promise<void>;
}

export function startTracing(o: { endpoint: string; serviceName: string; spanProcessor?: SpanProcessor }): Tracing {
  const resource = new Resource({ 'service.name': o.serviceName });
  const spanProcessor =
    o.spanProcessor ??
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${o.endpoint.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Registers the provider and an AsyncLocalStorage context manager globally, as the interceptors read the global API.
  provider.register({ contextManager: new AsyncLocalStorageContextManager() });
  return {
    workerPlugin: new OpenTelemetryPlugin({ resource, spanProcessor }),
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    tracer: trace.getTracer('ozg-case-engine'),
    shutdown: () => provider.shutdown(),
  };
}

/** A server span per HTTP request, active while its handler runs, so a workflow started there joins the trace. */
export function traceRequests(app: FastifyInstance, tracer: Tracer): void {
  app.addHook('onRequest', (req, _reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const span = tracer.startSpan(`${req.method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'http.route': route },
    });
    (req as { otelSpan?: typeof span }).otelSpan = span;
    context.with(trace.setSpan(context.active(), span), done);
  });
  app.addHook('onResponse', async (req, reply) => {
    const span = (req as { otelSpan?: ReturnType<Tracer['startSpan']> }).otelSpan;
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}
