/**
 * `tongban keys`: the field keys that encrypt personal data at rest (agent/pii). `rotate` makes a new
 * key current, reseals every value and material file under it and removes the old key files nothing
 * uses any more. It takes the data directory's lock, so it refuses to run beside an agent (which would
 * keep writing under the old key while its file is removed).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { booleanOption, stringOption, writeJson, type Command } from '../../base/cli.js';
import { EnvironmentError, UsageError } from '../../base/errors.js';
import { createLogger, stderrSink } from '../../base/log.js';
import { lockDataDir } from '../data-dir.js';
import { openFieldCipher, type CipherAlgorithm } from '../pii/field-cipher.js';
import { ALGORITHMS } from '../pii/sealed-format.js';
import { reencryptAll, rotateFieldKey } from '../pii/reencrypt.js';
import { openStore, STORE_FILE } from '../store/store.js';
import { AGENT_OPTIONS, configFromArgs, dataDirFromArgs } from './agent-client.js';

const listCommand: Command = {
  name: 'list',
  summary: 'list the field keys: id, whether current, whether drained (no value uses it)',
  usage: '[--config FILE] [--data DIR] [--json]',
  options: { ...AGENT_OPTIONS, json: { type: 'boolean', description: 'print the keys as JSON' } },
  async run(args, ctx) {
    const dataDir = dataDirFromArgs(args, ctx, configFromArgs(args, ctx));
    const cipher = openFieldCipher({ dataDir, create: false });
    let drained = new Set<string>();
    if (existsSync(join(dataDir, STORE_FILE))) {
      const store = openStore({ dataDir, log: createLogger({ level: 'warn', sink: stderrSink }), cipher });
      try {
        drained = new Set((store.db.prepare('SELECT key_id FROM field_keys WHERE drained_at IS NOT NULL').all() as { key_id: string }[]).map((r) => r.key_id));
      } finally {
        store.close();
      }
    }
    const keys = cipher.keyIds().map((id) => ({ id, current: id === cipher.keyId, drained: drained.has(id) }));
    if (booleanOption(args, 'json')) writeJson(ctx, { algorithm: cipher.algorithm, keys });
    else for (const k of keys) ctx.stdout.write(`${k.id}${k.current ? '  current' : ''}${k.drained ? '  drained' : ''}\n`);
  },
};

const rotateCommand: Command = {
  name: 'rotate',
  summary: 'make a new field key, reseal every personal value under it, remove old keys nothing uses',
  usage: '[--config FILE] [--data DIR] [--algorithm sm4-ctr-hmac-sm3|aes-256-gcm] [--keep-old] [--json]',
  description: `Stop the agent first: rotation takes the data directory's lock. Old key files are removed only
once a full pass finds no value under them (--keep-old keeps them anyway). Audited as keyRotation.
--algorithm aes-256-gcm reseals everything with AES-256-GCM: a store moving to the Electron build
(whose crypto has no SM4) is converted so on Node first.`,
  options: {
    ...AGENT_OPTIONS,
    algorithm: { type: 'string', valueName: 'ALG', description: 'seal with sm4-ctr-hmac-sm3 (default where the runtime has SM4) or aes-256-gcm' },
    'keep-old': { type: 'boolean', description: 'keep the old key files' },
    json: { type: 'boolean', description: 'print the report as JSON' },
  },
  async run(args, ctx) {
    const algorithm = stringOption(args, 'algorithm');
    if (algorithm !== undefined && !(algorithm in ALGORITHMS)) throw new UsageError(`--algorithm must be ${Object.keys(ALGORITHMS).join(' or ')}`);
    const dataDir = dataDirFromArgs(args, ctx, configFromArgs(args, ctx));
    if (!existsSync(join(dataDir, STORE_FILE))) throw new EnvironmentError('env.noStore', `no store in ${dataDir} (${STORE_FILE} is missing)`);
    const lock = lockDataDir(dataDir);
    try {
      const log = createLogger({ level: 'warn', sink: stderrSink });
      const cipher = openFieldCipher({ dataDir, create: false, log, ...(algorithm ? { algorithm: algorithm as CipherAlgorithm } : {}) });
      const store = openStore({ dataDir, log, cipher });
      let report;
      try {
        const previous = cipher.keyId;
        const current = rotateFieldKey(store, cipher, { actor: 'operator', log });
        const pass = reencryptAll(store, cipher, { actor: 'operator', log });
        const removed = booleanOption(args, 'keep-old') ? [] : pass.drainedKeys;
        for (const k of removed) cipher.removeKey(k);
        report = { previous, current, algorithm: cipher.algorithm, resealedValues: pass.values, resealedFiles: pass.files, drainedKeys: pass.drainedKeys, removedKeys: removed };
      } finally {
        store.close();
      }
      if (booleanOption(args, 'json')) writeJson(ctx, report);
      else {
        ctx.stdout.write(`new key ${report.current} (was ${report.previous}); resealed ${report.resealedValues} value(s) and ${report.resealedFiles} file(s)\n`);
        for (const k of report.removedKeys) ctx.stdout.write(`removed key ${k}\n`);
      }
    } finally {
      lock.release();
    }
  },
};

export const keysCommand: Command = {
  name: 'keys',
  summary: 'the field keys that encrypt personal data at rest: list, rotate',
  subcommands: [listCommand, rotateCommand],
};
