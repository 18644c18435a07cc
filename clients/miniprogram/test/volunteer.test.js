// A volunteer, end to end against the live server: bound by a worker's code, sees the
// visit due in their pairing, checks in at the door and logs the visit.
const wxStub = require('./wx.js');
const live = require('./live.js');
const { render, until, text } = require('./pages.js');

const VILLAGE = '411002001001';
let county;
let family;
let volunteer;

beforeAll(async () => {
  wxStub.install();
  county = await live.staff('weidu.admin');
  family = await live.registerFamily(await live.staff('weidu.township'), VILLAGE);
  const site = await live.gql(county, `mutation($input: AddCareSiteInput!) {
      addCareSite(input: $input) { id teams { id } } }`, {
    input: { name: `东村暖心家园${Date.now()}`, regionCode: VILLAGE, venue: '村委会', teamName: '东村志愿服务队' },
  });
  const added = await live.gql(county, `mutation($input: AddVolunteerInput!) { addVolunteer(input: $input) { id } }`, {
    input: { teamId: site.addCareSite.teams[0].id, name: '刘志愿', phone: '13700001111' },
  });
  volunteer = added.addVolunteer.id;
  await live.gql(county, `mutation($input: PairFamilyInput!) { pairFamily(input: $input) { id } }`, {
    input: {
      familyId: family.family, leaderName: '王书记', workerVolunteerId: volunteer, schedule: 'MONTHLY',
      content: '每月上门陪伴', answerableName: '王书记', startsOn: '2026-01-01',
    },
  });
});

test('a volunteer binds, checks in and logs the visit', async () => {
  const issued = await live.gql(county, 'mutation($v: ID) { issueBindingCode(volunteerId: $v) { code } }', { v: volunteer });
  wxStub.newUser(`volunteer-${Date.now()}`);
  const login = render('login');
  await login.instance.onLoad();
  login.querySelector('.code').dispatchEvent('input', { detail: { value: issued.issueBindingCode.code } });
  login.querySelector('.bind').dispatchEvent('tap');
  await until(() => wxStub.state.navigations.length > 0, 'the visits page');
  expect(wxStub.state.navigations).toEqual(['/pages/visits/visits']);

  const visits = render('visits');
  await visits.instance.onLoad();
  expect(visits.data.error).toBe('');
  expect(visits.data.visits.map((v) => v.familyId)).toEqual([family.family]);
  expect(text(visits, '.visit')).toContain('每月上门陪伴');
  visits.querySelector('.check-in').dispatchEvent('tap');
  await until(() => visits.data.open, 'the check-in');
  expect(visits.data.open.place).toBe('34.02345,113.85213');
  // Nothing written yet: the log needs what was done.
  visits.querySelector('.submit').dispatchEvent('tap');
  await until(() => visits.data.error, 'the refusal');
  visits.querySelector('.content').dispatchEvent('input', { detail: { value: '陪老人聊天，帮忙打扫院子' } });
  visits.querySelector('.submit').dispatchEvent('tap');
  await until(() => visits.data.done, 'the saved log');
  expect(text(visits, '.done')).toContain('已保存');
  // This month's visit is done: nothing more due this week.
  await until(() => visits.data.visits.length === 0, 'the list to clear');

  const records = await live.gql(county, 'query($f: ID!) { careRecords(familyId: $f) { edges { node { kind content location } } } }', { f: family.family });
  const logged = records.careRecords.edges.map((e) => e.node).filter((n) => n.kind === 'VISIT');
  expect(logged).toHaveLength(1);
  expect(logged[0].content).toBe('陪老人聊天，帮忙打扫院子');
  expect(logged[0].location).toMatch(/到达，位置 34\.02345,113\.85213$/);
});
