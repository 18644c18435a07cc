// What a person reads: money in 元, months and dates the way a county office writes them.

/** 68000 → "680.00 元" (money is kept in fen). */
function yuan(fen) {
  if (typeof fen !== 'number') return '';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} 元`;
}

/** "2026-12" → "2026年12月". */
function month(ym) {
  const [y, m] = String(ym).split('-');
  return m ? `${y}年${Number(m)}月` : String(ym);
}

/** Today in China Standard Time, YYYY-MM-DD (a visit's date is a Chinese calendar day). */
function chinaToday(now = new Date()) {
  const cst = new Date(now.getTime() + 8 * 3600 * 1000);
  return cst.toISOString().slice(0, 10);
}

/** This month in China Standard Time, YYYY-MM. */
function chinaMonth(now = new Date()) {
  return chinaToday(now).slice(0, 7);
}

const PAYMENT_STATES = {
  PENDING: '待发放',
  SENT: '已交银行',
  PAID: '已到账',
  RETURNED: '被银行退回，下次补发',
  FAILED: '没发成功，下次补发',
};

function paymentState(state) {
  return PAYMENT_STATES[state] || '办理中';
}

const VISIT_STATES = { OVERDUE: '已超期', DUE_SOON: '快到期', ON_TRACK: '按计划' };

function visitState(state) {
  return VISIT_STATES[state] || '';
}

module.exports = { yuan, month, chinaToday, chinaMonth, paymentState, visitState };
