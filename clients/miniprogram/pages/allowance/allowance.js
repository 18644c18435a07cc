// 我的补助: which months were paid, returned by the bank, paid again.
const client = require('../../utils/client.js');
const format = require('../../utils/format.js');

Component({
  data: { loading: true, error: '', lines: [] },
  methods: {
    async onLoad() {
      try {
        const data = await client.call('MyPayments', {});
        this.setData({
          loading: false,
          lines: data.myPayments.map((p, i) => ({
            key: `${p.month}-${i}`,
            month: format.month(p.month),
            amount: format.yuan(p.amountFen),
            state: format.paymentState(p.state) + (p.attempt > 1 ? '（补发）' : ''),
            reason: p.reason || '',
            why: p.explanation,
          })),
        });
      } catch (e) {
        this.setData({ loading: false, error: e.message });
      }
    },
  },
});
