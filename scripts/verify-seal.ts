// `npm run verify -- <file.pdf>`: checks a sealed Bescheid offline against the trusted CA; exit 0 only if authentic.
import { readFile } from 'node:fs/promises';
import { sealKeyStore } from '../dev/demo-seal-keys.js';
import { verifySealedPdf } from '../adapters/seal-verifier.js';
import { loadConfig } from '../platform/config.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: npm run verify -- <file.pdf>');
  process.exit(2);
}
const check = await verifySealedPdf(await readFile(file), await sealKeyStore(loadConfig()).trustAnchors());
console.log(`${file}\n  sha256:   ${check.sha256}`);
if (check.signer) console.log(`  sealed by ${check.signer} at ${check.signedAt ?? 'unknown time'}`);
console.log(
  check.valid ? '  AUTHENTIC: the seal is valid and the document is unchanged' : `  NOT AUTHENTIC: ${check.reason}`,
);
process.exit(check.valid ? 0 : 1);
