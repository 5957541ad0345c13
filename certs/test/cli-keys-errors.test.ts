/**
 * The key commands on bad usage and bad files: exit 2 (3 for an unwritable output), one clear line on
 * stderr, never a stack trace. The commands run in this process through base/cli's runProgram (the code
 * the executable runs), which keeps this file fast; two cases go through the real executable as well
 * (run `npm run build` first).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runProgram, type Command, type CommandContext } from '../../base/cli.js';
import { tongban } from '../../test/helpers/cli.js';
import { demoPkiCommand } from '../cli/demo-pki-command.js';
import { certCommand, keygenCommand, signCommand, verifySigCommand } from '../cli/key-commands.js';
import { privateKeyToPem, publicKeyToPem } from '../keys.js';
import { generateKeyPair, sign } from '../sm2.js';
import { tempDir } from './keys-x509-openssl.js';

const tmp = tempDir('tongban-cli-keys-errors-');
afterAll(() => tmp.remove());

const certs: Command = { name: 'certs', summary: 'certs', subcommands: [keygenCommand, certCommand, signCommand, verifySigCommand, demoPkiCommand] };
const program = { name: 'tongban', version: 'test', root: { name: 'tongban', summary: 'test', subcommands: [certs] } };

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `tongban ARGS` in this process, in the temp dir. */
async function run(...args: string[]): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const ctx: CommandContext = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env: {},
    cwd: tmp.dir,
    stopSignal: new AbortController().signal,
  };
  const code = await runProgram(program, args, ctx);
  return { code, stdout, stderr };
}

const kp = generateKeyPair();
writeFileSync(tmp.path('k.pem'), privateKeyToPem(kp.privateKey));
writeFileSync(tmp.path('k.pub'), publicKeyToPem(kp.publicKey));
writeFileSync(tmp.path('msg'), 'message');
writeFileSync(tmp.path('msg.sig'), sign(kp.privateKey, new TextEncoder().encode('message')));
writeFileSync(tmp.path('rsa.pem'), generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
writeFileSync(tmp.path('garbage'), 'not a key at all');
writeFileSync(tmp.path('empty-pass'), '\n');
mkdirSync(tmp.path('adir'));

/** Expects exit `code` and exactly one stderr line, equal to `line` or matching it. */
async function expectFailure(pending: Promise<Result>, code: number, line: string | RegExp): Promise<void> {
  const r = await pending;
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  if (typeof line === 'string') expect(r.stderr).toBe(`tongban: ${line}\n`);
  else expect(r.stderr).toMatch(line);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('certs key commands: errors', async () => {
  it('a missing, unreadable or directory input file is exit 2 naming the file', async () => {
    await expectFailure(run('certs', 'sign', '--key', 'KEY.pem', '--in', 'msg', '--out', 's'), 2, 'cannot read KEY.pem: no such file');
    await expectFailure(run('certs', 'sign', '--key', 'k.pem', '--in', 'nothing.txt', '--out', 's'), 2, 'cannot read nothing.txt: no such file');
    await expectFailure(run('certs', 'sign', '--key', 'adir', '--in', 'msg', '--out', 's'), 2, 'cannot read adir: is a directory');
    await expectFailure(run('certs', 'verify-sig', '--pub', 'k.pub', '--in', 'msg', '--sig', 'none.sig'), 2, 'cannot read none.sig: no such file');
    await expectFailure(run('certs', 'cert', '--key', 'k.pem', '--subject', 'CN=x', '--ca-key', 'k.pem', '--ca-cert', 'ca.pem', '--out', 'c.pem'), 2, 'cannot read ca.pem: no such file');
  });

  it('an output in a missing directory is exit 3', async () => {
    await expectFailure(run('certs', 'keygen', '--out', 'no/such/dir/k.pem'), 3, 'cannot write no/such/dir/k.pem: no such directory');
  });

  it('malformed files are exit 2 with the file name and what is wrong', async () => {
    await expectFailure(run('certs', 'sign', '--key', 'garbage', '--in', 'msg', '--out', 's'), 2, 'garbage: private key: neither PEM nor DER');
    await expectFailure(run('certs', 'sign', '--key', 'rsa.pem', '--in', 'msg', '--out', 's'), 2, 'rsa.pem: private key is an RSA key, not SM2');
    await expectFailure(run('certs', 'sign', '--key', 'k.pub', '--in', 'msg', '--out', 's'), 2, 'k.pub: found a public key where an SM2 private key is expected');
    await expectFailure(run('certs', 'verify-sig', '--pub', 'k.pem', '--in', 'msg', '--sig', 'msg.sig'), 2, 'k.pem: found a private key where a public key or certificate is expected');
    await expectFailure(run('certs', 'verify-sig', '--cert', 'k.pub', '--in', 'msg', '--sig', 'msg.sig'), 2, 'k.pub: found a PEM "PUBLIC KEY" block where a certificate is expected');
    await expectFailure(run('certs', 'verify-sig', '--pub', 'k.pub', '--in', 'msg', '--sig', 'msg'), 2, /^tongban: msg: malformed DER signature: /);
    await expectFailure(run('certs', 'cert', '--key', 'k.pub', '--subject', 'CN=x', '--out', 'c.pem'), 2, 'k.pub: holds only a public key; a self-signed certificate needs the private key');
    await expectFailure(run('certs', 'sign', '--key', 'k.pem', '--passphrase-file', 'empty-pass', '--in', 'msg', '--out', 's'), 2, 'the passphrase file empty-pass is empty');
  });

  it('bad usage is exit 2 with a one-line hint', async () => {
    await expectFailure(run('certs', 'keygen'), 2, 'missing required option --out');
    await expectFailure(run('certs', 'verify-sig', '--pub', 'k.pub', '--cert', 'c.pem', '--in', 'msg', '--sig', 'msg.sig'), 2, 'give exactly one of --pub and --cert');
    await expectFailure(run('certs', 'verify-sig', '--in', 'msg', '--sig', 'msg.sig'), 2, 'give exactly one of --pub and --cert');
    await expectFailure(run('certs', 'cert', '--key', 'k.pem', '--subject', 'CN=x', '--ca-key', 'k.pem', '--out', 'c.pem'), 2, '--ca-key and --ca-cert go together');
    await expectFailure(run('certs', 'cert', '--key', 'k.pem', '--subject', 'CN=x', '--days', 'ten', '--out', 'c.pem'), 2, '--days takes a whole number, not "ten"');
    await expectFailure(run('certs', 'cert', '--key', 'k.pem', '--subject', 'CN=x', '--days', '0', '--out', 'c.pem'), 2, '--days must be from 1 to 36500, not 0');
    await expectFailure(run('certs', 'cert', '--key', 'k.pem', '--subject', 'CN=x,C=China', '--out', 'c.pem'), 2, 'subject: C must be a two-letter country code such as CN, not "China"');
    await expectFailure(run('certs', 'cert', '--key', 'k.pem', '--subject', 'CN=x', '--key-usage', 'signing', '--out', 'c.pem'), 2, /^tongban: --key-usage: unknown usage "signing" \(known: digitalSignature, /);
    await expectFailure(run('certs', 'cert', '--key', 'k.pem', '--subject', 'CN=x', '--ca', '--leaf', '--out', 'c.pem'), 2, '--ca and --leaf exclude each other');
    await expectFailure(run('certs', 'sign', '--key', 'k.pem', '--in', 'msg', '--out', 's', '--bogus'), 2, /^tongban: Unknown option '--bogus'/);
    await expectFailure(run('certs', 'nonsense'), 2, 'unknown command "certs nonsense" (try: tongban certs --help)');
  });

  it('a self-signed certificate refuses a CA cert that is not one', async () => {
    expect((await run('certs', 'cert', '--key', 'k.pem', '--subject', 'CN=Leaf Only', '--leaf', '--out', 'leaf.pem')).code).toBe(0);
    await expectFailure(run('certs', 'cert', '--key', 'k.pub', '--subject', 'CN=Child', '--ca-key', 'k.pem', '--ca-cert', 'leaf.pem', '--out', 'child.pem'), 2, 'CN=Leaf Only is not a CA certificate (basicConstraints cA is not set)');
  });

  it('the real executable says the same: exit 2, one line', () => {
    const missing = tongban(['certs', 'sign', '--key', 'KEY.pem', '--in', 'msg', '--out', 's'], { cwd: tmp.dir });
    expect(missing).toMatchObject({ code: 2, stdout: '', stderr: 'tongban: cannot read KEY.pem: no such file\n' });
    const rsa = tongban(['certs', 'verify-sig', '--pub', 'rsa.pem', '--in', 'msg', '--sig', 'msg.sig'], { cwd: tmp.dir });
    expect(rsa).toMatchObject({ code: 2, stdout: '', stderr: 'tongban: rsa.pem: found a private key where a public key or certificate is expected\n' });
  });
});
