/**
 * Object identifiers used across certs/: the Chinese national algorithms (GM/T 0006), the PKCS and
 * X.509 ones the key and certificate codecs meet, and friendly names for messages.
 */

export const OID = {
  // GM/T 0006 / GB/T 33560: SM2, SM3, SM4 and the GB/T 35275 (SM2 "PKCS#7") content types.
  sm2: '1.2.156.10197.1.301',
  sm2Sign: '1.2.156.10197.1.301.1',
  sm3: '1.2.156.10197.1.401',
  sm2WithSm3: '1.2.156.10197.1.501',
  sm4Cbc: '1.2.156.10197.1.104.2',
  sm2Data: '1.2.156.10197.6.1.4.2.1',
  sm2SignedData: '1.2.156.10197.6.1.4.2.2',

  // ANSI X9.62 / SEC 1 elliptic-curve keys.
  ecPublicKey: '1.2.840.10045.2.1',
  primeField: '1.2.840.10045.1.1',
  prime256v1: '1.2.840.10045.3.1.7',
  secp256k1: '1.3.132.0.10',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',

  // Other key types, named so errors can say what a key is instead of "unknown OID".
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  x25519: '1.3.101.110',
  dsa: '1.2.840.10040.4.1',

  // PKCS#5 v2 (RFC 8018) password-based encryption.
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha1: '1.2.840.113549.2.7',
  hmacWithSha224: '1.2.840.113549.2.8',
  hmacWithSha256: '1.2.840.113549.2.9',
  hmacWithSha384: '1.2.840.113549.2.10',
  hmacWithSha512: '1.2.840.113549.2.11',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',

  // X.520 attribute types of distinguished names.
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  streetAddress: '2.5.4.9',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  title: '2.5.4.12',
  givenName: '2.5.4.42',
  organizationIdentifier: '2.5.4.97',
  emailAddress: '1.2.840.113549.1.9.1',
  userId: '0.9.2342.19200300.100.1.1',
  domainComponent: '0.9.2342.19200300.100.1.25',

  // RFC 5280 certificate extensions.
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyConstraints: '2.5.29.36',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  netscapeComment: '2.16.840.1.113730.1.13',

  // Extended key usages.
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

const NAMES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(OID).map(([name, oid]) => [oid, name]));

/** A readable name for an OID ("sm2WithSm3"), or the dotted OID itself when it is not one we know. */
export function oidName(oid: string): string {
  return NAMES[oid] ?? oid;
}
