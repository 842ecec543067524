import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import type { FieldError, ValidationResult } from '../workflows/contracts/case.js';
import { assessIntake, type IntakeAssessment } from '../rules/assess-intake.js';
import { loadRuleSet } from '../rules/rule-set.js';
import { findAuthority } from './catalogue.js';
import { unsafeText } from './safe-text.js';
import type { ServiceDefinition } from './types.js';

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
// Checksum and country length, not just the shape: a pay-out to a mistyped IBAN is hard to take back.
ajv.addFormat('iban', (s: string) => isValidIBAN(electronicFormatIBAN(s) ?? ''));
// Annotations of schemas imported from FIM (services/fim): ids and code labels, not validation keywords.
ajv.addVocabulary([
  'x-fim-id',
  'x-fim-version',
  'x-fim-codes',
  'x-fim-datentyp',
  'x-fim-feldart',
  'x-fim-xdatenfelder',
]);
const compiled = new Map<string, ValidateFunction>();

/** Compiles an application schema as intake will; throws what is wrong with it. */
export const compileApplicationSchema = (schema: object): ValidateFunction => ajv.compile(schema);

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
    if (!schema) {
      return {
        valid: false,
        errors: [
          {
            pointer: '',
            code: 'schema.unknown_version',
            message: `Unbekannte Schemaversion ${schemaVersion}.`,
            messageEn: `Unknown schema version ${schemaVersion}.`,
          },
        ],
      };
    }
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  if (validate(application)) return { valid: true, errors: [] };
  return {
    valid: false,
    errors: (validate.errors ?? []).map(toFieldError).map((e) => withFimLabel(service.schemas[schemaVersion]!, e)),
  };
}

/** For a field of a FIM schema, the message names the field by its FIM label and id, as the form shows it. */
function withFimLabel(schema: object, e: FieldError): FieldError {
  let node: Record<string, unknown> | undefined = schema as Record<string, unknown>;
  for (const part of e.pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    const items = node?.['items'] as Record<string, unknown> | undefined;
    node =
      /^\d+$/.test(key) && items
        ? items
        : (node?.['properties'] as Record<string, Record<string, unknown>> | undefined)?.[key];
  }
  const id = node?.['x-fim-id'];
  const label = node?.['title'];
  if (typeof id !== 'string' || typeof label !== 'string') return e;
  return {
    ...e,
    message: `${label} (${id}): ${e.message}`,
    ...(e.messageEn && { messageEn: `${label} (${id}): ${e.messageEn}` }),
  };
}

export interface ApplicationCheck extends ValidationResult {
  assessment: IntakeAssessment;
}

/** Schema and plausibility rules together, so the applicant sees every error at once. */
export async function checkApplication(i: {
  service: ServiceDefinition;
  authorityId: string;
  schemaVersion: string;
  ruleSetVersion: string;
  application: unknown;
  submittedOn: string;
}): Promise<ApplicationCheck> {
  const schema = validateApplication(i.service, i.schemaVersion, i.application);
  const application = isObject(i.application) ? i.application : {};
  const ruleSet = await loadRuleSet(i.service.ruleSet.id, i.ruleSetVersion);
  const facts = i.service.intakeFacts({
    application,
    authority: findAuthority(i.service, i.authorityId),
    submittedOn: i.submittedOn,
  });
  const assessment = await assessIntake(ruleSet, facts);
  // Text that cannot be stored, printed or prompted comes first: it is what the applicant has to fix.
  const text = unsafeText(i.application);
  const found = [
    ...schema.errors,
    ...assessment.errors.filter((p) => !schema.errors.some((s) => s.pointer === p.pointer)),
  ];
  const errors = [...text, ...found.filter((p) => !text.some((t) => t.pointer === p.pointer))];
  return { valid: errors.length === 0, errors, assessment };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function toFieldError(e: ErrorObject): FieldError {
  const params = e.params as Record<string, unknown>;
  const at = (code: string, message: string, messageEn: string, pointer = e.instancePath): FieldError => ({
    pointer,
    code,
    message,
    messageEn,
  });
  switch (e.keyword) {
    case 'required':
      return at(
        'required',
        'Dieses Feld muss ausgefüllt werden.',
        'This field is required.',
        `${e.instancePath}/${escape(params['missingProperty'])}`,
      );
    case 'additionalProperties':
      return at(
        'unknown_field',
        'Dieses Feld ist im Antrag nicht vorgesehen.',
        'This field is not part of the application.',
        `${e.instancePath}/${escape(params['additionalProperty'])}`,
      );
    case 'type':
      return at('wrong_type', 'Der Wert hat nicht die erwartete Form.', `Expected ${String(params['type'])}.`);
    case 'enum':
      return at(
        'not_allowed',
        'Bitte wählen Sie einen der vorgesehenen Werte.',
        'Please choose one of the allowed values.',
      );
    case 'pattern':
    case 'format':
      return at(
        'invalid_format',
        'Die Eingabe hat nicht das erwartete Format.',
        'The input does not have the expected format.',
      );
    case 'minLength':
      return at('too_short', 'Die Eingabe ist zu kurz.', 'The input is too short.');
    case 'maxLength':
      return at('too_long', 'Die Eingabe ist zu lang.', 'The input is too long.');
    case 'minimum':
      return at(
        'too_small',
        `Der Wert muss mindestens ${String(params['limit'])} betragen.`,
        `The value must be at least ${String(params['limit'])}.`,
      );
    case 'maximum':
      return at(
        'too_large',
        `Der Wert darf höchstens ${String(params['limit'])} betragen.`,
        `The value must be at most ${String(params['limit'])}.`,
      );
    default:
      return at(`schema.${e.keyword}`, 'Die Eingabe ist ungültig.', 'The input is invalid.');
  }
}

// RFC 6901: a property name inside a pointer escapes ~ and /.
const escape = (name: unknown): string => String(name).replaceAll('~', '~0').replaceAll('/', '~1');
