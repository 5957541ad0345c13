/** Line icons of the start screen, drawn inline (no icon font, no image request; the system CJK fonts have no such glyphs). */
const common = { width: 72, height: 72, viewBox: '0 0 48 48', fill: 'none', stroke: 'currentColor', 'stroke-width': 3, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true' } as const;

export function IdCardIcon() {
  return (
    <svg {...common}>
      <rect x="4" y="10" width="40" height="28" rx="4" />
      <circle cx="16" cy="22" r="5" />
      <path d="M9 33c1.5-4 4-5.5 7-5.5s5.5 1.5 7 5.5M28 18h10M28 24h10M28 30h6" />
    </svg>
  );
}

export function ScanIcon() {
  return (
    <svg {...common}>
      <path d="M6 14V8a2 2 0 0 1 2-2h6M34 6h6a2 2 0 0 1 2 2v6M42 34v6a2 2 0 0 1-2 2h-6M14 42H8a2 2 0 0 1-2-2v-6" />
      <rect x="13" y="13" width="8" height="8" />
      <rect x="27" y="13" width="8" height="8" />
      <rect x="13" y="27" width="8" height="8" />
      <path d="M27 27h3v3M35 27v8h-8" />
    </svg>
  );
}

export function ListIcon() {
  return (
    <svg {...common}>
      <path d="M16 12h26M16 24h26M16 36h26" />
      <circle cx="7" cy="12" r="1.5" />
      <circle cx="7" cy="24" r="1.5" />
      <circle cx="7" cy="36" r="1.5" />
    </svg>
  );
}

export function PrinterIcon() {
  return (
    <svg {...common}>
      <path d="M13 18V6h22v12M13 34H8a3 3 0 0 1-3-3V21a3 3 0 0 1 3-3h32a3 3 0 0 1 3 3v10a3 3 0 0 1-3 3h-5" />
      <rect x="13" y="28" width="22" height="14" />
    </svg>
  );
}
