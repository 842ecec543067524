// One worker process of the chaos run (configured by the environment, like `npm run worker`); the launcher kills it.
import { runStandaloneWorker } from '../engine.js';

// The launcher bundles the workflows once, so a restarted worker polls within seconds.
const codePath = process.env['CHAOS_WORKFLOW_BUNDLE'];
await runStandaloneWorker({ workflowBundle: codePath ? { codePath } : undefined });
