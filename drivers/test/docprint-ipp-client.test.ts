/**
 * The IPP client against hostile or broken servers on 127.0.0.1: an HTTP server that answers what each
 * test says (garbage, an oversized body, HTTP errors, a reply for another request, silence), and a small
 * IPP printer built on the codec that reports media-empty. Every failure must be a typed DeviceError.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../../base/errors.js';
import { attr, decode, encode, enumValue, keyword, name, type IppMessage } from '../docprint/ipp-codec.js';
import { IppClient } from '../docprint/ipp-client.js';
import { DocumentPrinter } from '../docprint/printer.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

type Handler = (req: IppMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<number> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(decode(new Uint8Array(Buffer.concat(chunks))), res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

function reply(res: ServerResponse, msg: IppMessage | Uint8Array, status = 200): void {
  const body = msg instanceof Uint8Array ? msg : encode(msg);
  res.writeHead(status, { 'content-type': 'application/ipp', 'content-length': body.length });
  res.end(body);
}

async function failure(p: Promise<unknown>): Promise<DeviceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeviceError);
  return err as DeviceError;
}

const ok = (req: IppMessage, groups: IppMessage['groups']): IppMessage => ({ version: { major: 1, minor: 1 }, code: 0, requestId: req.requestId, groups });

describe('IPP client against broken servers', () => {
  it('garbage instead of IPP: device.garbled', async () => {
    const port = await serve((_req, res) => reply(res, new TextEncoder().encode('<html>hello</html>')));
    expect((await failure(new IppClient({ server: { host: '127.0.0.1', port } }).getPrinterAttributes('Q'))).code).toBe('device.garbled');
  });

  it('a reply for another request: device.garbled', async () => {
    const port = await serve((req, res) => reply(res, { ...ok(req, []), requestId: req.requestId + 1 }));
    const err = await failure(new IppClient({ server: { host: '127.0.0.1', port } }).getPrinterAttributes('Q'));
    expect(err.code).toBe('device.garbled');
    expect(err.message).toMatch(/reply for request/);
  });

  it('an oversized reply is cut off: device.garbled', async () => {
    const port = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/ipp' });
      const chunk = Buffer.alloc(1024 * 1024, 0x41);
      let sent = 0;
      const more = () => {
        while (sent < 8 && res.write(chunk)) sent++;
        if (sent < 8) res.once('drain', more);
        else res.end();
      };
      res.on('error', () => undefined);
      more();
    });
    const err = await failure(new IppClient({ server: { host: '127.0.0.1', port } }).getPrinterAttributes('Q'));
    expect(err.code).toBe('device.garbled');
    expect(err.message).toMatch(/larger than/);
  });

  it('HTTP 401/500: docprint.httpError', async () => {
    const port = await serve((req, res) => reply(res, ok(req, []), 401));
    const err = await failure(new IppClient({ server: { host: '127.0.0.1', port } }).getPrinterAttributes('Q'));
    expect(err.code).toBe('docprint.httpError');
    expect(err.message).toMatch(/HTTP 401 \(not allowed/);
  });

  it('a server that never answers: device.timeout', async () => {
    const port = await serve(() => undefined);
    const err = await failure(new IppClient({ server: { host: '127.0.0.1', port }, requestTimeoutMs: 200 }).getPrinterAttributes('Q'));
    expect(err.code).toBe('device.timeout');
  });

  it('an IPP error status is named, with the server message', async () => {
    const port = await serve((req, res) =>
      reply(res, { ...ok(req, [{ tag: 'operation', attributes: [attr('status-message', { tag: 'textWithoutLanguage', value: 'Quota exceeded.' })] }]), code: 0x0404 }),
    );
    const err = await failure(new IppClient({ server: { host: '127.0.0.1', port } }).getPrinterAttributes('Q'));
    expect(err.code).toBe('docprint.ippError');
    expect(err.message).toMatch(/client-error-not-possible: Quota exceeded\./);
  });

  it('a Print-Job reply without a job-id: device.garbled', async () => {
    const port = await serve((req, res) => reply(res, ok(req, [])));
    const err = await failure(new IppClient({ server: { host: '127.0.0.1', port } }).printJob('Q', 't', new TextEncoder().encode('%PDF-1.4')));
    expect(err.code).toBe('device.garbled');
  });
});

describe('DocumentPrinter: the reasons of a stopped printer, explained', () => {
  it('media-empty-error and paused are named in plain words; nothing is submitted', async () => {
    const ops: number[] = [];
    const port = await serve((req, res) => {
      ops.push(req.code);
      reply(
        res,
        ok(req, [
          {
            tag: 'printer',
            attributes: [
              attr('printer-name', name('A4')),
              attr('printer-state', enumValue(5)),
              attr('printer-state-reasons', keyword('media-empty-error'), keyword('paused')),
              attr('printer-is-accepting-jobs', { tag: 'boolean', value: true }),
            ],
          },
        ]),
      );
    });
    const printer = new DocumentPrinter({ queue: 'A4', server: { host: '127.0.0.1', port } });
    const err = await failure(printer.print(new TextEncoder().encode('%PDF-1.4 x')));
    expect(err.code).toBe('docprint.printerStopped');
    expect(err.message).toBe('printer A4 is stopped: media-empty-error (out of paper), paused (paused by an operator (cupsenable/Resume-Printer starts it again))');
    expect(ops).toEqual([0x000b]);
    expect(printer.status()).toMatchObject({ state: 'error', printerState: 'stopped', reasons: ['media-empty-error', 'paused'] });
  });
});
