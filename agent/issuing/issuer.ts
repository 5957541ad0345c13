/**
 * Who seals a certificate issued on site (证明开具): per certs template, the issuing department's
 * GB/T 38540 seal with its signer's key and certificate. The configured signers (issuing.signers, read
 * and checked at start by signer-files.ts) come first; in demo mode the demo PKI (certs/demo-pki.ts,
 * public keys for demonstration only) signs for the other templates; outside demo mode a template with
 * no signer is refused by the API (409 issuer.notConfigured) rather than sealed with a demo key.
 * certs' seal modules (the seal font, the picture renderer) load at the first issue, not at start: they
 * cost the agent's start-up more than everything else it imports.
 */
import type { DemoPki } from '../../certs/demo-pki.js';

export interface IssuingSigner {
  readonly seal: Uint8Array;
  readonly signerKey: Uint8Array;
  readonly signerCert: Uint8Array;
}

/** The signer for a template, or undefined when none is configured for it. */
export type Issuer = (template: string) => Promise<IssuingSigner | undefined>;

/** The demo departments by template (the demo catalog's issuable items). */
const DEMO_SIGNER_BY_TEMPLATE: Readonly<Record<string, string>> = {
  'social-insurance-proof': 'hrss',
  'real-estate-query': 'real-estate',
};

/** The demo issuer: the PKI and each seal are made on first use (SM2 key derivation costs milliseconds). */
export function demoIssuer(): Issuer {
  let pki: DemoPki | undefined;
  const made = new Map<string, IssuingSigner>();
  return async (template) => {
    const slug = DEMO_SIGNER_BY_TEMPLATE[template] ?? 'service-center';
    const cached = made.get(slug);
    if (cached) return cached;
    const [{ createDemoPki, demoSigner }, { createSeal }] = await Promise.all([import('../../certs/demo-pki.js'), import('../../certs/seal/index.js')]);
    pki ??= createDemoPki();
    const signer = demoSigner(pki, slug);
    const seal = createSeal({
      makerKey: pki.maker.key,
      makerCert: pki.maker.cert,
      signerCerts: [signer.cert],
      name: `${signer.name}业务专用章`,
      drawing: { organisation: signer.name, purpose: '业务专用章' },
      createDate: new Date('2025-06-01T00:00:00Z'),
      validStart: new Date('2025-06-01T00:00:00Z'),
      validEnd: new Date('2030-06-01T00:00:00Z'),
    });
    const result: IssuingSigner = { seal, signerKey: signer.key, signerCert: signer.cert.der };
    made.set(slug, result);
    return result;
  };
}
