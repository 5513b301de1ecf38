import { useMemo } from 'react';
import { create } from 'qrcode';

const QUIET_ZONE = 4;

/**
 * A QR code drawn locally as one SVG path (the otpauth URI holds the TOTP key: it never goes
 * to an image service). Dark modules on a white field, whatever the theme, so phones can read it.
 */
export function QrCode({ value, label }: { value: string; label: string }) {
  const { size, path } = useMemo(() => {
    const modules = create(value, { errorCorrectionLevel: 'M' }).modules;
    const parts: string[] = [];
    for (let row = 0; row < modules.size; row += 1) {
      for (let column = 0; column < modules.size; column += 1) {
        if (modules.data[row * modules.size + column]) parts.push(`M${column + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`);
      }
    }
    return { size: modules.size + QUIET_ZONE * 2, path: parts.join('') };
  }, [value]);
  return (
    <svg className="qr-code" viewBox={`0 0 ${size} ${size}`} role="img" aria-label={label} shapeRendering="crispEdges">
      <rect width={size} height={size} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}
