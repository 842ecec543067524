import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * FIT-Connect's metadata schemas as FITKO publishes them (https://schema.fitko.de/fit-connect/metadata/), vendored
 * byte for byte with their `$id`s. Only 1.0.0 could be obtained here: the file is the one the `fitconnect` 0.4.2
 * wheel on PyPI ships (EUPL-1.2, `fitconnect/schema/metadata.schema.v1.0.0.json`, SHA-256
 * d61ad55c5d084195dbd403f512b39c0ff40ca66471b3d5902cb4401982948916). See docs/fachverfahren-teams.md.
 */
const PUBLISHED: Record<string, string> = {
  '1.0.0': 'schemas/metadata-1.0.0.schema.json',
};

export const METADATA_SCHEMA_PREFIX = 'https://schema.fitko.de/fit-connect/metadata/';
export const metadataSchemaUri = (version: string) => `${METADATA_SCHEMA_PREFIX}${version}/metadata.schema.json`;

/**
 * The metadata versions a destination declares by default (`metadataVersions` of the Submission API's destination).
 * Later 1.x versions only add optional fields (semantic versioning of the schemas); the published 1.0.0 schema does not
 * forbid unknown fields, so a 1.x document whose own schema is not vendored is checked against the newest vendored 1.x.
 */
export const DECLARED_METADATA_VERSIONS = ['1.0.0', '1.1.0', '1.1.1', '1.1.2', '1.2.0', '1.2.1', '1.2.2'] as const;

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
const compiled = new Map<string, ValidateFunction>();
function validatorFor(version: string): ValidateFunction {
  let v = compiled.get(version);
  if (!v) {
    const file = PUBLISHED[version];
    if (!file) throw new Error(`no vendored metadata schema ${version}`);
    v = ajv.compile(JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')) as object);
    compiled.set(version, v);
  }
  return v;
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

/** The vendored schema a declared version is checked against: its own, or the newest vendored one of its major version. */
export function schemaVersionFor(version: string): string | undefined {
  if (PUBLISHED[version]) return version;
  const major = SEMVER.exec(version)?.[1];
  return Object.keys(PUBLISHED)
    .filter((v) => SEMVER.exec(v)?.[1] === major)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .pop();
}

export interface MetadataViolation {
  /** JSON pointer into the metadata. */
  pointer: string;
  message: string;
}

export type MetadataCheck =
  | { ok: true; version: string; checkedAgainst: string }
  | { ok: false; version?: string; violations: MetadataViolation[] };

/**
 * Checks metadata against the schema its `$schema` names, if the destination declares that version. Every violation
 * at once (pointers and messages, never values).
 */
export function checkMetadata(metadata: unknown, declared: readonly string[]): MetadataCheck {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    return { ok: false, violations: [{ pointer: '/', message: 'must be an object' }] };
  const uri = (metadata as { $schema?: unknown }).$schema;
  // Metadata without `$schema` are read as 1.0.0, the version that made it optional.
  const version =
    uri === undefined
      ? '1.0.0'
      : typeof uri === 'string' && uri.startsWith(METADATA_SCHEMA_PREFIX)
        ? uri.slice(METADATA_SCHEMA_PREFIX.length).split('/')[0]
        : undefined;
  const violations: MetadataViolation[] = [];
  if (!version || (uri !== undefined && uri !== metadataSchemaUri(version)))
    violations.push({
      pointer: '/$schema',
      message: `names no published metadata schema (${METADATA_SCHEMA_PREFIX}…)`,
    });
  else if (!declared.includes(version))
    violations.push({
      pointer: '/$schema',
      message: `metadata version ${version} is not one this destination declares (${declared.join(', ')})`,
    });
  const against = schemaVersionFor(version && declared.includes(version) ? version : '1.0.0') ?? '1.0.0';
  const validate = validatorFor(against);
  if (!validate(metadata)) violations.push(...toViolations(validate.errors));
  return violations.length
    ? { ok: false, ...(version && { version }), violations }
    : { ok: true, version: version!, checkedAgainst: against };
}

function toViolations(errors: ErrorObject[] | null | undefined): MetadataViolation[] {
  return (errors ?? []).map((e) => ({ pointer: e.instancePath || '/', message: e.message ?? 'invalid' }));
}
