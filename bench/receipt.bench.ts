/**
 * Receipts: building and encoding a typical 受理回执 slip (validation, layout for 58 mm, GB18030, QR,
 * cut), and the throughput of the streaming ESC/POS decoder the simulator prints with. No npm package
 * does the same job (validated document in, ESC/POS out with Chinese mode and column-aware wrapping), so
 * the yardstick is the floor: GB18030-encoding the same text with iconv-lite and nothing else.
 */
import iconv from 'iconv-lite';
import { EscPosDecoder, ReceiptCollector } from '../drivers/escpos/decode.js';
import { parseReceipt, renderReceipt } from '../drivers/escpos/receipt.js';
import type { BenchModule } from './lib.js';

const doc = {
  title: '受理回执',
  lines: [
    '事项：居民身份证换领（有效期满换领）',
    '申请人：张三',
    '证件号码：110101********1234',
    '受理部门：北京市朝阳区政务服务中心',
    '受理窗口：自助终端 03 号',
    '受理时间：2026-11-21 20:15:32',
    '承诺办结时限：15 个工作日',
    '领取方式：邮寄到付（收件地址已登记）',
    '办理进度可扫描下方二维码或登录政务服务网查询',
    '如有疑问请拨打政务服务热线 12345',
  ],
  rows: [
    { key: '受理编号', value: 'SL-2026-1121-000123' },
    { key: '办件类型', value: '承诺件' },
    { key: '材料份数', value: '3' },
    { key: '收费金额', value: '￥0.00' },
  ],
  qr: 'https://zwfw.example.gov.cn/progress?id=SL-2026-1121-000123&sig=5f2c9a1e',
  footer: '请妥善保管本回执，凭此回执查询和领取办理结果',
};

function mustHold(ok: boolean, what: string): void {
  if (!ok) throw new Error(`benchmark setup: ${what}`);
}

const bench: BenchModule = {
  description: 'ESC/POS receipts: building and encoding a 受理回执 slip, decoding throughput of the simulator decoder',
  async run(b) {
    const bytes = renderReceipt(parseReceipt(doc), { width: 58 });
    const decoded = new ReceiptCollector().add(new EscPosDecoder().push(bytes));
    mustHold(decoded.length === 1 && decoded[0]!.qr[0] === doc.qr, 'the slip decodes back to one receipt with its QR code');
    const allText = [doc.title, ...doc.lines, ...doc.rows.flatMap((r) => [r.key, r.value]), doc.qr, doc.footer].join('\n');

    const build = await b.measure('receipt: validate + layout + encode (58 mm) — tongban', () => renderReceipt(parseReceipt(doc), { width: 58 }));
    const parsed = parseReceipt(doc);
    await b.measure('receipt: layout + encode only (document already validated)', () => renderReceipt(parsed, { width: 58 }));
    const floor = await b.measure('yardstick: iconv-lite GB18030 encode of the same text', () => iconv.encode(allText, 'gb18030'));
    const decode = await b.measure(
      'decode: streaming ESC/POS decoder, whole slip per call',
      () => new ReceiptCollector().add(new EscPosDecoder({ chineseByDefault: true }).push(bytes)),
      { bytesPerOp: bytes.length },
    );
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 32) chunks.push(bytes.subarray(i, i + 32));
    await b.measure(
      'decode: same slip in 32-byte chunks (as from a serial port)',
      () => {
        const d = new EscPosDecoder({ chineseByDefault: true });
        const c = new ReceiptCollector();
        for (const ch of chunks) c.add(d.push(ch));
      },
      { bytesPerOp: bytes.length },
    );
    b.ratio('receipt build vs bare GB18030 encoding (throughput ratio)', build, floor, 0.1);
    b.limit('receipt build: median', build.medianMs ?? Infinity, 'ms', { atMost: 1 });
    b.limit('decoder throughput', decode.mibPerSec ?? 0, 'MiB/s', { atLeast: 1.1 });
    b.note(`the slip: ${bytes.length} bytes of ESC/POS for ${[...allText].length} characters of text (${Buffer.byteLength(iconv.encode(allText, 'gb18030'))} bytes as bare GB18030)`);
    b.note('the decoder target, 1.1 MiB/s, is 100x the byte rate of a 115200-baud line (11.25 KiB/s): decoding never limits a simulated printer');
  },
};
export default bench;
