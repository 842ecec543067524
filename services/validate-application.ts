import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import type { FieldError, ValidationResult } from '../contracts/case.js';
import type { ServiceDefinition } from './types.js';

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
// Checksum and country length, not just the shape: a pay-out to a mistyped IBAN is hard to take back.
ajv.addFormat('iban', (s: string) => isValidIBAN(electronicFormatIBAN(s) ?? ''));
const compiled = new Map<string, ValidateFunction>();

/** Checks application data against the schema version it was submitted under, reporting every error at once. */
export function validateApplication(
  service: ServiceDefinition,
  schemaVersion: string,
  application: unknown,
): ValidationResult {
  const key = `${service.key}@${schemaVersion}`;
  let validate = compiled.get(key);
  if (!validate) {
    const schema = service.schemas[schemaVersion];
    if (!schema) return { valid: false, errors: [{ pointer: '', code: 'schema.unknown_version', message: `Unbekannte Schemaversion ${schemaVersion}.` }] };
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  if (validate(application)) return { valid: true, errors: [] };
  return { valid: false, errors: (validate.errors ?? []).map(toFieldError) };
}

function toFieldError(e: ErrorObject): FieldError {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { pointer: `${e.instancePath}/${String(params['missingProperty'])}`, code: 'required', message: 'Dieses Feld muss ausgefüllt werden.' };
    case 'additionalProperties':
      return { pointer: `${e.instancePath}/${String(params['additionalProperty'])}`, code: 'unknown_field', message: 'Dieses Feld ist im Antrag nicht vorgesehen.' };
    case 'type':
      return { pointer: e.instancePath, code: 'wrong_type', message: 'Der Wert hat nicht die erwartete Form.' };
    case 'pattern':
    case 'format':
      return { pointer: e.instancePath, code: 'invalid_format', message: 'Die Eingabe hat nicht das erwartete Format.' };
    case 'minLength':
      return { pointer: e.instancePath, code: 'too_short', message: 'Die Eingabe ist zu kurz.' };
    case 'maxLength':
      return { pointer: e.instancePath, code: 'too_long', message: 'Die Eingabe ist zu lang.' };
    default:
      return { pointer: e.instancePath, code: `schema.${e.keyword}`, message: 'Die Eingabe ist ungültig.' };
  }
}
