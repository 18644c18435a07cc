// 找人帮忙: ask for a visit or for emergency aid, in one tap; the worker answers.
const client = require('../../utils/client.js');

Component({
  data: { note: '', busy: false, done: '', error: '' },
  methods: {
    onNoteInput(e) {
      this.setData({ note: e.detail.value });
    },
    async ask(e) {
      const kind = e.currentTarget.dataset.kind;
      this.setData({ busy: true, error: '', done: '' });
      try {
        const data = await client.call('AskForHelp', { kind, note: this.data.note.trim() || null });
        const r = data.submitRequest;
        this.setData({ done: `${r.kindText}：已经收到，工作人员会尽快联系您（${r.stateText}）` });
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ busy: false });
      }
    },
  },
});
