// A family member, end to end against the live server: signs in with WeChat (the server's
// stand-in), binds with the code a worker printed, reads the family file and the allowance
// history in Chinese, asks for a visit and presses the emergency button, which the
// village worker then sees.
const wxStub = require('./wx.js');
const live = require('./live.js');
const { render, until, text } = require('./pages.js');

const VILLAGE = '411002001001';
let worker;
let family;

beforeAll(async () => {
  wxStub.install();
  worker = await live.staff('weidu.village');
  family = await live.registerFamily(await live.staff('weidu.township'), VILLAGE);
  await live.payLastMonth(family.family);
});

test('a new WeChat user binds with the printed code and lands on the family page', async () => {
  const issued = await live.gql(worker, 'mutation($m: ID) { issueBindingCode(memberId: $m) { code } }', { m: family.member });
  wxStub.newUser(`grandma-${Date.now()}`);
  const login = render('login');
  await login.instance.onLoad();
  expect(login.data.stage).toBe('bind');
  expect(text(login, '.card')).toContain('绑定码');
  // A wrong code first: told so in Chinese, and the ticket stays good.
  login.querySelector('.code').dispatchEvent('input', { detail: { value: 'AAAA-BBBB-CCCC' } });
  login.querySelector('.bind').dispatchEvent('tap');
  await until(() => login.data.error, 'the refusal');
  expect(login.data.error).toMatch(/绑定码/);
  login.querySelector('.code').dispatchEvent('input', { detail: { value: issued.issueBindingCode.code } });
  login.querySelector('.bind').dispatchEvent('tap');
  await until(() => wxStub.state.navigations.length > 0, 'the family page');
  expect(wxStub.state.navigations).toEqual(['/pages/home/home']);

  // Signing in again later goes straight in.
  wxStub.state.navigations.length = 0;
  const again = render('login');
  await again.instance.onLoad();
  expect(wxStub.state.navigations).toEqual(['/pages/home/home']);
});

test('the family page and the allowance history (last month, approved) are in Chinese', async () => {
  const home = render('home');
  await home.instance.onLoad();
  expect(home.data.error).toBe('');
  expect(home.data.members.map((m) => m.name)).toEqual(['张秀英']);
  expect(text(home, '.member .amount')).toMatch(/年\d+月：/);
  expect(text(home, '.member .why')).toMatch(/[\u4e00-\u9fa5]/);
  const allowance = render('allowance');
  await allowance.instance.onLoad();
  expect(allowance.data.error).toBe('');
  expect(allowance.data.lines.length).toBeGreaterThan(0);
  expect(text(allowance, '.line .state')).toBe('待发放');
  // The page writes month and amount apart with a full-width space; the DOM reads it as one.
  expect(text(allowance, '.line')).toMatch(/年\d+月\s\d+\.\d\d 元/);
});

test('reminders the user accepts, and only those, are told to the server', async () => {
  const config = require('../config.js');
  wxStub.state.subscribe = { [config.templates.REQUEST_ANSWERED]: 'accept' };
  const home = render('home');
  await home.instance.onLoad();
  await home.instance.askForReminders();
  expect(home.data.reminders).toContain('已开启 1 项提醒');
  wxStub.state.subscribe = {};
  await home.instance.askForReminders();
  expect(home.data.reminders).toContain('没有开启提醒');
});

test('asking for a visit is one tap', async () => {
  const help = render('help');
  help.querySelector('.ask-visit').dispatchEvent('tap');
  await until(() => help.data.done || help.data.error, 'the answer');
  expect(help.data.error).toBe('');
  expect(text(help, '.done')).toContain('已经收到');
  // The worker answers it; the reminder accepted above queues one message, in the log.
  const open = await live.gql(worker, '{ familyRequests { id familyId } }');
  const ours = open.familyRequests.find((r) => r.familyId === family.family);
  await live.gql(worker, 'mutation($id: ID!) { answerRequest(id: $id, accept: true) { state } }', { id: ours.id });
  const log = await live.gql(worker, 'query($f: ID!) { notices(familyId: $f) { kind kindText } }', { f: family.family });
  expect(log.notices).toEqual([{ kind: 'REQUEST_ANSWERED', kindText: '诉求答复提醒' }]);
});

test('the emergency button reaches the village worker, once however often it is pressed', async () => {
  const sos = render('emergency');
  sos.querySelector('.press').dispatchEvent('tap');
  await until(() => sos.data.called || sos.data.error, 'the call');
  expect(sos.data.error).toBe('');
  expect(text(sos, '.status')).toContain('已经呼叫');
  sos.querySelector('.press').dispatchEvent('tap');
  await until(() => !sos.data.busy, 'the second press');
  const calls = await live.gql(worker, '{ emergencyCalls { familyId state } }');
  const ours = calls.emergencyCalls.filter((c) => c.familyId === family.family);
  expect(ours).toEqual([{ familyId: family.family, state: 'OPEN' }]);
});

test('a document the city did not register is refused, even with a good token', async () => {
  const session = require('../utils/session.js');
  const res = await new Promise((resolve) => wx.request({
    url: `${live.BASE}/graphql`,
    method: 'POST',
    header: { 'content-type': 'application/json', authorization: `Bearer ${session.token()}` },
    data: { query: '{ myRequests { id } }' },
    success: resolve,
  }));
  expect(res.statusCode).toBe(403);
  expect(res.data.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
});
