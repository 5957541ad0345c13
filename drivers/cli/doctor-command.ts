/** `tongban doctor`: serial ports, HID devices, CUPS queues, and the health of configured devices. */
import { booleanOption, integerOption, stringOption, stringsOption, writeJson, type Command } from '../../base/cli.js';
import { UsageError } from '../../base/errors.js';
import type { DeviceConfig } from '../config.js';
import { loadDoctorConfig, parseDoctorDevices, runDoctor, type DoctorReport } from '../doctor/doctor.js';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check the machine (serial ports, HID devices, CUPS queues) and the health of configured devices',
  usage: '[--config FILE] [--idcard PATH] [--receipt PATH|HOST:PORT] [--printer QUEUE] [--server HOST:PORT] [--json]',
  description: `Devices to check come from --config (the device configuration, or a short list like
[{"id":"reader","kind":"idcard","port":"/dev/ttyUSB0"},{"id":"a4","kind":"document","queue":"Office"}])
and from --idcard, --receipt and --printer. Exit 0 when every configured device is healthy, 3 when one is
not; what is found about the machine alone (no HID library, CUPS down) is reported but does not fail.`,
  options: {
    config: { type: 'string', valueName: 'FILE', description: 'JSON list of devices to check' },
    idcard: { type: 'string', valueName: 'PATH', multiple: true, description: 'an ID card reader on this serial port (SAM status)' },
    receipt: { type: 'string', valueName: 'PATH|HOST:PORT', multiple: true, description: 'a receipt printer on a serial port, /dev/usb/lp*, or TCP (DLE EOT)' },
    printer: { type: 'string', valueName: 'QUEUE', multiple: true, description: 'a CUPS document printer queue (Get-Printer-Attributes)' },
    server: { type: 'string', valueName: 'HOST:PORT', description: 'CUPS server, or a unix socket path (default $CUPS_SERVER, else localhost:631)' },
    timeout: { type: 'string', valueName: 'MS', description: 'per device question (default 1500)' },
    json: { type: 'boolean', description: 'print the report as JSON' },
  },
  async run(args, ctx) {
    const configFile = stringOption(args, 'config');
    const devices: DeviceConfig[] = configFile ? await loadDoctorConfig(configFile) : [];
    const short: Record<string, unknown>[] = [];
    stringsOption(args, 'idcard').forEach((port, i) => short.push({ id: `idcard${i + 1}`, kind: 'idcard', port }));
    stringsOption(args, 'receipt').forEach((where, i) => {
      const id = `receipt${i + 1}`;
      if (where.startsWith('/dev/usb/')) short.push({ id, kind: 'receipt', device: where });
      else if (where.startsWith('/')) short.push({ id, kind: 'receipt', port: where });
      else short.push({ id, kind: 'receipt', tcp: where });
    });
    stringsOption(args, 'printer').forEach((queue, i) => short.push({ id: `printer${i + 1}`, kind: 'document', queue }));
    if (short.length) {
      const extra = parseDoctorDevices(short);
      const clash = extra.find((d) => devices.some((x) => x.id === d.id));
      if (clash) throw new UsageError(`device id ${clash.id} is in --config too; name the devices there`, 'usage.badValue');
      devices.push(...extra);
    }
    const server = stringOption(args, 'server') ?? (ctx.env.CUPS_SERVER || undefined);
    const timeout = integerOption(args, 'timeout', 10, 60_000);
    const report = await runDoctor({ devices, ...(server ? { cupsServer: server } : {}), ...(timeout ? { probeTimeoutMs: timeout } : {}) });
    if (booleanOption(args, 'json')) writeJson(ctx, report);
    else ctx.stdout.write(render(report));
    return report.healthy ? 0 : 3;
  },
};

function table(rows: string[][]): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => ('  ' + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).trimEnd());
}

export function render(r: DoctorReport): string {
  const out: string[] = [];
  out.push(`Serial ports (${r.serialPorts.source === 'udev' ? 'udev' : 'from /dev'}):`);
  out.push(...(r.serialPorts.ports.length ? table(r.serialPorts.ports.map((p) => [p.path, p.kind, [p.manufacturer, ...p.byId].filter(Boolean).join(' ')])) : ['  none']));
  out.push('HID devices:');
  if (!r.hid.available) out.push(`  unavailable: ${r.hid.error}`);
  else if (r.hid.devices.length === 0) out.push('  none');
  else out.push(...table(r.hid.devices.map((d) => [`${d.vendorId.toString(16).padStart(4, '0')}:${d.productId.toString(16).padStart(4, '0')}`, [d.manufacturer, d.product].filter(Boolean).join(' ')])));
  out.push(`CUPS queues (${r.cups.server}):`);
  if (!r.cups.reachable) out.push(`  unreachable: ${r.cups.error}`);
  else if (r.cups.queues.length === 0) out.push('  none');
  else out.push(...table(r.cups.queues.map((q) => [q.name, q.acceptingJobs ? q.state : `${q.state}, rejecting jobs`, q.reasons.join(', ') || '-', q.deviceUri ?? ''])));
  out.push('Configured devices:');
  out.push(...(r.devices.length ? table(r.devices.map((d) => [d.id, d.kind, d.where, d.healthy ? 'ok' : 'FAIL', d.detail])) : ['  none configured']));
  if (r.findings.length) out.push('Findings:', ...r.findings.map((f) => `  - ${f}`));
  out.push(r.healthy ? 'All configured devices are healthy.' : `Unhealthy: ${r.devices.filter((d) => !d.healthy).map((d) => d.id).join(', ')}`);
  return out.join('\n') + '\n';
}
