import type { PDFFont, PDFOperator, PDFPage } from 'pdf-lib';
import { fill, popGraphicsState, pushGraphicsState, rectangle, rgb, setFillingRgbColor } from 'pdf-lib';
import QRCode from 'qrcode';

/**
 * The visible seal mark at the foot of the page: who sealed, when, and a QR code with the public verification address.
 */
export function drawSealMark(
  page: PDFPage,
  font: PDFFont,
  m: { holder: string; sealedAt: Date; verificationUrl: string },
): void {
  const qr = QRCode.create(m.verificationUrl, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const box = 84;
  const cell = box / (size + 8);
  const x0 = 56;
  const y0 = 40;
  page.drawRectangle({
    x: x0 - 4,
    y: y0 - 4,
    width: 483.28,
    height: box + 8,
    borderColor: rgb(0.2, 0.2, 0.4),
    borderWidth: 0.8,
  });
  // All dark modules as rectangles of one filled path: cheap to write, vector, byte-for-byte reproducible.
  const ops: PDFOperator[] = [pushGraphicsState(), setFillingRgbColor(0, 0, 0)];
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (qr.modules.get(row, col)) ops.push(rectangle(x0 + (col + 4) * cell, y0 + box - (row + 5) * cell, cell, cell));
    }
  }
  page.pushOperators(...ops, fill(), popGraphicsState());
  const lines = [
    'Elektronisch gesiegelt',
    `Siegel: ${m.holder}`,
    `Zeitpunkt: ${m.sealedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    'Echtheit prüfen: QR-Code scannen oder',
    m.verificationUrl,
  ];
  lines.forEach((text, i) =>
    page.drawText(text, { x: x0 + box + 10, y: y0 + box - 14 - i * 14, size: i === 4 ? 7.5 : 9, font }),
  );
}
