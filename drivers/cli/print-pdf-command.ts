/** `tongban print pdf`: print a PDF on a CUPS queue and wait until its job completed. */
import { booleanOption, integerOption, stringOption, writeJson, type Command } from '../../base/cli.js';
import { parseServer } from '../docprint/ipp-client.js';
import { DocumentPrinter } from '../docprint/printer.js';

export const printPdfCommand: Command = {
  name: 'pdf',
  summary: 'print a PDF through CUPS (IPP) and wait until its job completed',
  usage: '--printer QUEUE FILE.pdf [--server HOST:PORT] [--timeout MS] [--title TEXT] [--json]',
  description: `Refuses a stopped printer, or one not accepting jobs, before submitting. Exit 0 when the job
completed; 3 when the printer is stopped, the job was aborted, or CUPS is not reachable; 2 when FILE is
missing or not a PDF.`,
  positionals: [1, 1],
  options: {
    printer: { type: 'string', valueName: 'QUEUE', description: 'the CUPS queue (lpstat -p lists them)' },
    server: { type: 'string', valueName: 'HOST:PORT', description: 'CUPS server, or a unix socket path (default $CUPS_SERVER, else localhost:631)' },
    timeout: { type: 'string', valueName: 'MS', description: 'wait at most this long for the job to complete (default 120000); then it is canceled' },
    title: { type: 'string', valueName: 'TEXT', description: 'job name (default: the file name)' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, ctx) {
    const queue = stringOption(args, 'printer', true);
    const server = stringOption(args, 'server') ?? (ctx.env.CUPS_SERVER || undefined);
    const timeoutMs = integerOption(args, 'timeout', 1, 24 * 3600 * 1000) ?? 120_000;
    const file = args.positionals[0]!;
    const json = booleanOption(args, 'json');
    const printer = new DocumentPrinter({ queue, ...(server ? { server: parseServer(server) } : {}) });
    const result = await printer.print(file, {
      title: stringOption(args, 'title') ?? file.split('/').pop()!,
      timeoutMs,
      signal: ctx.stopSignal,
      onEvent: (e) => {
        if (!json && e.type === 'submitted') ctx.stdout.write(`job ${e.jobId} submitted to ${queue}\n`);
      },
    });
    if (json) {
      writeJson(ctx, {
        jobId: result.jobId,
        queue: result.queue,
        state: result.state,
        submittedAt: result.submittedAt.toISOString(),
        completedAt: result.completedAt.toISOString(),
        elapsedMs: result.elapsedMs,
      });
    } else {
      ctx.stdout.write(`job ${result.jobId} ${result.state} on ${result.queue} (${result.elapsedMs} ms)\n`);
    }
  },
};
