import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRefusedError } from '../client/task-client.js';
import { HttpProblem, problemHandler } from '../http/problem.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = Fastify();
  app.setErrorHandler(problemHandler);
  app.get('/refused', async () => {
    throw new HttpProblem(409, 'already decided');
  });
  app.get('/coded', async () => {
    const errors = [{ pointer: '/a', code: 'required', message: 'fehlt', messageEn: 'missing' }];
    throw new HttpProblem(422, 'incomplete', { code: 'invalid_application', errors });
  });
  app.get('/command', async () => {
    throw new CommandRefusedError('invalid', 'a written justification is required');
  });
  app.get('/broken', async () => {
    throw new Error('connection to 10.0.0.7 refused, password=secret');
  });
  app.post('/validated', { schema: { body: { type: 'object', required: ['x'] } } }, async () => ({}));
  app.post('/intake', { config: { problemCodes: { internal: 'Der Antrag konnte nicht verarbeitet werden.' } } }, () => {
    throw new Error('internal detail');
  });
  app.get(
    '/page',
    { config: { problemPage: (p, _req, reply) => reply.type('text/html').send(`<h1>${p.title}</h1>`) } },
    () => {
      throw new HttpProblem(404, 'Diese Akte gibt es nicht.', { title: 'Akte nicht gefunden' });
    },
  );
});
afterAll(() => app?.close());

describe('the one error handler', () => {
  it('answers a thrown problem as RFC 9457 problem details, with a code and field errors when it has them', async () => {
    const refused = await app.inject({ url: '/refused' });
    expect([refused.statusCode, refused.headers['content-type']]).toEqual([
      409,
      'application/problem+json; charset=utf-8',
    ]);
    expect(refused.json()).toEqual({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'already decided' });
    expect((await app.inject({ url: '/coded' })).json()).toEqual({
      type: 'urn:ozg-case-engine:problem:invalid_application',
      title: 'Unprocessable Content',
      status: 422,
      code: 'invalid_application',
      detail: 'incomplete',
      errors: [{ pointer: '/a', code: 'required', message: 'fehlt', messageEn: 'missing' }],
    });
    expect((await app.inject({ url: '/command' })).json()).toMatchObject({
      status: 422,
      title: 'Unprocessable Content',
    });
  });

  it("maps Fastify's own refusals, and a failure as a 500 that names no internals", async () => {
    const invalid = await app.inject({ method: 'POST', url: '/validated', payload: {} });
    expect(invalid.json()).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
    const broken = await app.inject({ url: '/broken' });
    expect([broken.statusCode, broken.json()]).toEqual([
      500,
      {
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'The request could not be processed.',
      },
    ]);
    expect(broken.body).not.toMatch(/10\.0\.0\.7|secret/);
  });

  it('gives every problem of a coded route a stable code, Fastify refusals and failures included', async () => {
    const malformed = await app.inject({
      method: 'POST',
      url: '/intake',
      payload: '{"a":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.json()).toMatchObject({ type: 'urn:ozg-case-engine:problem:malformed_json', status: 400 });
    const failed = await app.inject({ method: 'POST', url: '/intake', payload: {} });
    expect(failed.json()).toEqual({
      type: 'urn:ozg-case-engine:problem:internal',
      title: 'Internal Server Error',
      status: 500,
      code: 'internal',
      detail: 'Der Antrag konnte nicht verarbeitet werden.',
    });
  });

  it("renders a route's problems as its page when it has one", async () => {
    const page = await app.inject({ url: '/page' });
    expect([page.statusCode, page.headers['content-type'], page.body]).toEqual([
      404,
      'text/html',
      '<h1>Akte nicht gefunden</h1>',
    ]);
  });
});
