import type { Currency, PaymentStatus } from '../../../workflows/contracts/case.js';

/** A payment as the sandbox keeps it. */
export interface SandboxTransaction {
  transactionId: string;
  idempotencyKey: string;
  amountCents: number;
  currency: Currency;
  purpose: string;
  returnUrl: string;
  notifyUrl?: string;
  status: PaymentStatus;
  reference?: string;
  refundedCents: number;
}

const euro = (cents: number) => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')} EUR`;
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page the applicant pays on: the amount, the purpose, and one button per outcome the sandbox can play. */
export function paymentPage(t: SandboxTransaction): string {
  const buttons = (['paid', 'failed', 'abandoned'] as const)
    .map(
      (o) =>
        `<button name="outcome" value="${o}">${{ paid: 'Bezahlen', failed: 'Zahlung scheitert', abandoned: 'Abbrechen' }[o]}</button>`,
    )
    .join(' ');
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Zahlung (Sandbox)</title></head><body>
<h1>Zahlung (Sandbox)</h1>
<p>${escape(t.purpose)}</p><p><strong>${euro(t.amountCents)}</strong></p><p>Status: ${t.status}</p>
${t.status === 'paid' || t.status === 'cancelled' ? `<p>Kassenzeichen: ${escape(t.reference ?? '-')}</p>` : `<form method="post">${buttons}</form>`}
</body></html>`;
}
