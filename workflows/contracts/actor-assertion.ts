// The signed assertion of who acts on a case: issued by the API or workbench that authenticated the person, checked by
// the case workflow's update validator. Pure JavaScript (the workflow sandbox has no node:crypto): Ed25519 and SHA-256
// from @noble (audited, no dependencies besides each other).
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Refusal, TaskAction } from './task.js';

/** How long an assertion is good for: enough for one round trip through Temporal, too short to collect and reuse. */
export const ASSERTION_VALIDITY_MS = 60_000;
/** Clock difference between the API's and the workflow's time that is still accepted. */
const CLOCK_SKEW_MS = 30_000;
const VERSION = 'ozg-actor-v1';

/** What the assertion says: the person, the case, the task, the action and a digest of its whole content. */
export interface ActorClaims {
  sub: string;
  role: string;
  aut: string;
  cas: string;
  tsk: string;
  act: string;
  /** SHA-256 (hex) of the action as sent, without its assertion: outcome, assignee, text cannot be swapped. */
  dig: string;
  iat: number;
  exp: number;
}

type Unsigned = Omit<TaskAction, 'assertion'>;

const digestOf = (a: Unsigned): string => {
  const { assertion: _, ...rest } = a as TaskAction;
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify(rest))));
};

/** The global the worker sets in front of the workflow bundle: the hex Ed25519 public keys it trusts. */
export const ACTOR_KEYS_GLOBAL = '__ozgActorAssertionKeys';

/** The bundle's first line: the trusted public keys, frozen, on the sandbox's global object. */
export const actorKeysPrelude = (publicKeysHex: string[]): string =>
  `globalThis.${ACTOR_KEYS_GLOBAL}=Object.freeze(${JSON.stringify(publicKeysHex.map((k) => k.toLowerCase()))});\n`;

/** The public key (hex) of a signing key given as a 32-byte hex seed. */
export const actorPublicKey = (seedHex: string): string => bytesToHex(ed25519.getPublicKey(hexToBytes(seedHex)));

/** Signs `action` on `caseId` for the authenticated person it names; `now` in ms. */
export function signActorAssertion(seedHex: string, caseId: string, action: Unsigned, now: number): string {
  const claims: ActorClaims = {
    sub: action.actor.id,
    role: action.actor.role,
    aut: action.actor.authorityId,
    cas: caseId,
    tsk: action.taskId,
    act: action.action,
    dig: digestOf(action),
    iat: now,
    exp: now + ASSERTION_VALIDITY_MS,
  };
  const body = bytesToHex(utf8ToBytes(JSON.stringify(claims)));
  const signature = ed25519.sign(utf8ToBytes(`${VERSION}.${body}`), hexToBytes(seedHex));
  return `${VERSION}.${body}.${bytesToHex(signature)}`;
}

const refuse = (why: string): Refusal => ({
  type: 'forbidden',
  message: `the action carries no valid signed assertion of who acts (${why})`,
});

/**
 * Why `action` on `caseId` is not backed by an assertion one of `trustedKeys` signed, or undefined when it is.
 * A client that reaches Temporal without the API's signing key cannot name itself a case worker.
 */
export function actorAssertionRefusal(
  action: TaskAction,
  caseId: string,
  trustedKeys: readonly string[],
  now: number,
): Refusal | undefined {
  const token = action.assertion;
  if (typeof token !== 'string') return refuse('none given');
  const [version, body, signature, ...rest] = token.split('.');
  if (version !== VERSION || !body || !signature || rest.length) return refuse('not an assertion');
  let claims: ActorClaims;
  try {
    const message = utf8ToBytes(`${version}.${body}`);
    const sig = hexToBytes(signature);
    if (!trustedKeys.some((k) => safeVerify(sig, message, k))) return refuse('not signed by a trusted key');
    claims = JSON.parse(new TextDecoder().decode(hexToBytes(body))) as ActorClaims;
  } catch {
    return refuse('malformed');
  }
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return refuse('no validity');
  if (now > claims.exp || claims.iat > now + CLOCK_SKEW_MS) return refuse('expired or not yet valid');
  if (claims.exp - claims.iat > ASSERTION_VALIDITY_MS) return refuse('valid for too long');
  const a = action.actor;
  const bound =
    claims.sub === a?.id &&
    claims.role === a?.role &&
    claims.aut === a?.authorityId &&
    claims.cas === caseId &&
    claims.tsk === action.taskId &&
    claims.act === action.action &&
    claims.dig === digestOf(action);
  return bound ? undefined : refuse('issued for another person, case, task or action');
}

function safeVerify(sig: Uint8Array, message: Uint8Array, publicKeyHex: string): boolean {
  try {
    return ed25519.verify(sig, message, hexToBytes(publicKeyHex));
  } catch {
    return false;
  }
}
