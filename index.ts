// The engine's public API for Fachverfahren teams: define services and extensions, start a worker or the whole engine, the HTTP API, the clients.
export { defineService, type ServiceInput } from './services/define-service.js';
export type {
  AuthoritySettings,
  EvidenceRequirement,
  ServiceDefinition,
  ServiceStep,
  StepPoint,
} from './services/types.js';
export { defineExtensions, forwardingStep } from './adapters/extensions.js';
export type {
  EngineExtensions,
  ExtensionContext,
  ExtensionModule,
  Forwarder,
  StepHandler,
  StepInput,
  StepResult,
} from './adapters/extensions.js';
export type { RegisterAnswer, RegisterQuery, Registers } from './adapters/registers.js';
export type { PaymentProvider } from './adapters/payments.js';
export type { Postbox } from './adapters/postbox.js';
export type { Sealer } from './adapters/sealer.js';
export type { ArchiveStore } from './adapters/archive-store.js';
export { applyExtensions, loadPlugins, loadServiceDirs, stepActivities } from './app/extensions.js';
export { loadServiceFolder, ServiceFolderError } from './services/service-folder.js';
export { runExample } from './services/examples.js';
export { loadConfig, type Config } from './platform/config.js';
export { activityDeps } from './app/adapters.js';
export { createCaseWorker, type CaseWorkerOptions } from './app/case-worker.js';
export { startWorker } from './app/worker-process.js';
export { startApi } from './app/api.js';
export { buildHttpApi } from './http/http-api.js';
export { CaseClient, type SubmitApplication } from './client/case-client.js';
export { TaskClient } from './client/task-client.js';
