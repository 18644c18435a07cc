// The live server, as staff reach it: sign in a demo account and run documents over HTTP
// (staff send documents whole; only the mini-program is held to persisted operations).
const http = require('http');

const BASE = process.env.NUANXIN_URL;
const DEMO_PASSWORD = process.env.NUANXIN_DEMO_PASSWORD || 'nuanxin-demo-2026';

function post(path, payload, headers = {}) {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = http.request(`${BASE}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        try { resolve({ status: res.statusCode, body: JSON.parse(text) }); } catch (e) { reject(new Error(text)); }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function gql(token, query, variables = {}) {
  const { body } = await post('/graphql', { query, variables }, token ? { authorization: `Bearer ${token}` } : {});
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function staff(username) {
  const data = await gql(null, 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }', { u: username, p: DEMO_PASSWORD });
  return data.login.accessToken;
}

/** GB 11643's check character of the first 17 digits of an ID number. */
function checkCharacter(first17) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return '10X98765432'[sum % 11];
}

/** A family registered in `village` by `token` (a mother born in 1960): its id and hers. */
async function registerFamily(token, village) {
  // The 17th digit is even: a woman.
  const seq = String(100 + 2 * Math.floor(Math.random() * 400));
  const first17 = `${village.slice(0, 6)}19600${1 + Math.floor(Math.random() * 9)}1${Math.floor(Math.random() * 10)}${seq}`;
  const data = await gql(token, `mutation($input: RegisterFamilyInput!) {
      registerFamily(input: $input) { id members { id } } }`, {
    input: {
      regionCode: village,
      honourCertificateNo: `豫许${seq}`,
      honourCertificateDate: '1989-01-15',
      childDeathDate: '2015-03-08',
      members: [{
        role: 'MOTHER', name: '张秀英', idNumber: first17 + checkCharacter(first17),
        phone: `139${seq}0${seq}${Math.floor(Math.random() * 10)}`.slice(0, 11),
        address: '河南省许昌市魏都区东大街12号', hukouRegionCode: village,
      }],
    },
  });
  return { family: data.registerFamily.id, member: data.registerFamily.members[0].id };
}

/** Last month, YYYY-MM, in China Standard Time. */
function lastMonth(now = new Date()) {
  const cst = new Date(now.getTime() + 8 * 3600 * 1000);
  const y = cst.getUTCFullYear();
  const m = cst.getUTCMonth(); // 0-based: this is last month's number
  return m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`;
}

/**
 * The county verifies and activates `family`, generates last month's roster of its county
 * and submits it; the city approves it: the family's lines are then in its payment history.
 */
async function payLastMonth(family) {
  const county = await staff('weidu.admin');
  const city = await staff('city.admin');
  for (const status of ['VERIFIED', 'ACTIVE']) {
    await gql(county, 'mutation($id: ID!, $s: FamilyStatus!) { changeFamilyStatus(id: $id, status: $s, reason: "材料齐全，核实无误") { status } }', { id: family, s: status });
  }
  const roster = await gql(county, 'mutation($p: String!) { generateRoster(input: { countyCode: "411002", periodStart: $p }) { id } }', { p: lastMonth() });
  const id = roster.generateRoster.id;
  await gql(county, 'mutation($id: ID!) { submitRoster(id: $id) { status } }', { id });
  await gql(city, 'mutation($id: ID!) { approveRoster(id: $id) { status } }', { id });
}

module.exports = { gql, staff, registerFamily, payLastMonth, BASE };
