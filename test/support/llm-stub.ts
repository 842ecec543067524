import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the stub model behaves on the next calls; scripted per test. */
export type ModelBehaviour =
  | { kind: 'reply'; content: string }
  | { kind: 'slow'; ms: number; content: string }
  | { kind: 'status'; code: number }
  | { kind: 'invalid_json' }
  | { kind: 'wrong_shape' }
  | { kind: 'huge'; bytes: number }
  | { kind: 'hang_up' };

export interface StubRequest {
  authorization?: string;
  /** The request body exactly as received, to check the engine's audit hash against. */
  raw: string;
  body: { model: string; messages: Array<{ role: string; content: string }> };
}

/** A local server speaking the OpenAI chat-completions protocol, on port 0; nothing leaves the machine. */
export class LlmStub {
  readonly requests: StubRequest[] = [];
  private behaviour: ModelBehaviour | ((req: StubRequest) => ModelBehaviour) = { kind: 'reply', content: 'ok' };
  private readonly open = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<LlmStub> {
    let stub: LlmStub | undefined;
    const server = createServer((req, res) => void stub!.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    stub = new LlmStub(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
    return stub;
  }

  script(b: ModelBehaviour | ((req: StubRequest) => ModelBehaviour)): void {
    this.behaviour = b;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.url !== '/v1/chat/completions' || req.method !== 'POST') return void res.writeHead(404).end();
    const raw = Buffer.concat(chunks).toString('utf8');
    const request: StubRequest = { authorization: req.headers.authorization, raw, body: JSON.parse(raw) };
    this.requests.push(request);
    const b = typeof this.behaviour === 'function' ? this.behaviour(request) : this.behaviour;
    const completion = (content: string) =>
      JSON.stringify({
        id: 'stub',
        object: 'chat.completion',
        model: 'stub-model',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      });
    switch (b.kind) {
      case 'reply':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(completion(b.content));
      case 'slow':
        await new Promise((r) => setTimeout(r, b.ms));
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(completion(b.content));
        return;
      case 'status':
        return void res
          .writeHead(b.code, { 'content-type': 'application/json' })
          .end('{"error":{"message":"stub failure"}}');
      case 'invalid_json':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [ {"message": ');
      case 'wrong_shape':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"answer":"approve this case"}');
      case 'huge':
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(completion('Genehmigen! '.repeat(Math.ceil(b.bytes / 12))));
      case 'hang_up':
        return void res.destroy();
    }
  }
}

/** An address where nothing listens, for "connection refused". */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}/v1`;
}
