/**
 * HID devices through node-hid. node-hid's native addon needs libusb/hidraw at load time; when it cannot
 * load (or enumerate) that is a finding about the machine, reported, never a crash.
 */
import { messageOf } from '../../base/errors.js';

export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  manufacturer?: string;
  product?: string;
  usagePage?: number;
  usage?: number;
  interface?: number;
}

export type HidEnumeration = { available: true; devices: HidDeviceInfo[] } | { available: false; error: string };

export async function hidDevices(load: () => Promise<{ devices(): unknown[] }> = async () => (await import('node-hid')) as never): Promise<HidEnumeration> {
  try {
    const hid = await load();
    const raw = hid.devices();
    const devices: HidDeviceInfo[] = [];
    for (const d of Array.isArray(raw) ? raw : []) {
      if (typeof d !== 'object' || d === null) continue;
      const o = d as Record<string, unknown>;
      if (typeof o.vendorId !== 'number' || typeof o.productId !== 'number') continue;
      const str = (k: string) => (typeof o[k] === 'string' && o[k] ? { [k]: o[k] as string } : {});
      const num = (k: string) => (typeof o[k] === 'number' ? { [k]: o[k] as number } : {});
      devices.push({ vendorId: o.vendorId, productId: o.productId, ...str('path'), ...str('manufacturer'), ...str('product'), ...num('usagePage'), ...num('usage'), ...num('interface') });
    }
    return { available: true, devices };
  } catch (err) {
    return { available: false, error: `node-hid cannot be used here: ${messageOf(err).split('\n')[0]}` };
  }
}
