// 我的走访 (volunteers): the visits due this week in my pairings; at the door, check in
// (the time, and the place if the phone may tell it), then log what was done.
const client = require('../../utils/client.js');
const format = require('../../utils/format.js');

function locate() {
  return new Promise((resolve) => {
    if (!wx.getLocation) return resolve(null);
    wx.getLocation({
      type: 'gcj02',
      success: (r) => resolve(`${r.latitude.toFixed(5)},${r.longitude.toFixed(5)}`),
      fail: () => resolve(null),
    });
  });
}

Component({
  data: { loading: true, error: '', visits: [], open: null, content: '', done: '' },
  methods: {
    onLoad() {
      return this.load();
    },
    async load() {
      try {
        const data = await client.call('MyVisitsDue', { withinDays: 7 });
        this.setData({
          loading: false,
          visits: data.myVisitsDue.map((p) => ({
            id: p.id,
            familyId: p.familyId,
            what: p.content,
            due: p.nextVisitDue,
            state: format.visitState(p.visitState),
          })),
        });
      } catch (e) {
        this.setData({ loading: false, error: e.message });
      }
    },
    async checkIn(e) {
      const visit = this.data.visits.find((v) => v.id === e.currentTarget.dataset.id);
      if (!visit) return;
      const place = await locate();
      const at = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(11, 16);
      this.setData({
        open: { ...visit, arrivedAt: at, place },
        content: '',
        done: '',
        error: '',
      });
    },
    onContentInput(e) {
      this.setData({ content: e.detail.value });
    },
    async log() {
      const v = this.data.open;
      if (!v) return;
      if (!this.data.content.trim()) {
        this.setData({ error: '请写一下这次走访做了什么' });
        return;
      }
      const location = v.place ? `${v.arrivedAt} 到达，位置 ${v.place}` : `${v.arrivedAt} 到达`;
      try {
        await client.call('LogVisit', {
          input: {
            familyId: v.familyId,
            kind: 'VISIT',
            pairingId: v.id,
            occurredOn: format.chinaToday(),
            content: this.data.content.trim(),
            location,
          },
        });
        this.setData({ open: null, done: '走访记录已保存，谢谢您！' });
        await this.load();
      } catch (e) {
        this.setData({ error: e.message });
      }
    },
  },
});
