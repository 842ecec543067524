import { createRequire } from 'node:module';
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec, type CodecOptions } from './aes-gcm-codec.js';
import type { KeyRing } from './key-ring.js';

const require = createRequire(import.meta.url);
/** Also given to `bundleWorkflowCode`: failures built inside the workflow sandbox are encoded the same way. */
// From the sources (tsx, vitest) the TypeScript file, from `npm run build`'s dist/ the JavaScript one.
export const failureConverterPath = require.resolve(
  import.meta.url.endsWith('.ts') ? './failure-converter.ts' : './failure-converter.js',
);

/** The one data converter of client, worker and tests: every payload and failure message encrypted. */
export function engineDataConverter(keys: KeyRing, o: CodecOptions = {}): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(keys, o)], failureConverterPath };
}
