// Issue 6 on the phone: a collector's "Công việc của tôi" counted from the records on the
// phone (offline too), and a supervisor's "Báo cáo" from the server — totals that match what
// the collector sent, charts, the year month by month, the Action Month of a chosen year, the
// annual report shown and printed in the app and downloaded, and the offline and 403 states.

import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { Server, Device, eventually, disposeAfterAll } from './lib/harness.mjs';
import { promise, shot, signIn, counts, syncNow, fillOutreach } from './lib/app.mjs';

const cleanup = disposeAfterAll();

// The phones' clock: 29/11/2026, within the Action Month, so "Tháng này" is November 2026.
const TODAY = new Date('2026-11-29T03:00:00Z');

/** The figure tiles of the report screen: activities, participants, women's share. */
async function tiles(page) {
  const n = page.locator('.figures .tiles .tile .n');
  await n.first().waitFor({ timeout: 20_000 });
  const [activities, participants, share] = await n.allInnerTexts();
  return { activities: Number(activities), participants: Number(participants), share };
}

test('my work on the phone and the province report agree with what was sent', async () => {
  const server = await Server.create();
  const collector = new Device('reports-collector');
  const supervisor = new Device('reports-supervisor');
  cleanup.push(server, collector, supervisor);

  // The collector finishes two outreach events offline (Kinh children: 3 + 4 girls, 2 + 1 boys).
  const page = await collector.open();
  await collector.context.clock.setFixedTime(TODAY);
  await signIn(page, server);
  await collector.offline(true);
  await fillOutreach(page, { place: 'Báo cáo 1', girls: 3, boys: 2, materials: 40 });
  await fillOutreach(page, { place: 'Báo cáo 2', girls: 4, boys: 1, materials: 25 });

  // My work is counted on the phone: no connection needed.
  await page.getByRole('link', { name: 'Công việc của tôi' }).click();
  await page.getByRole('heading', { name: 'Công việc của tôi' }).waitFor();
  const mine = await tiles(page);
  promise('lost', mine.activities === 2 && mine.participants === 10, `my work shows ${JSON.stringify(mine)}`);
  promise('overwritten', mine.share === '70,0%', `women's share ${mine.share}, expected 70,0%`);
  await page.getByText('Nam 3 · Nữ 7').first().waitFor();
  await page.locator('.bars svg rect.f').first().waitFor();
  // A report figure of the form (its figures.toml), added up on the phone.
  const materials = 'Số tài liệu, sản phẩm truyền thông đã phát: 65';
  await page.locator('.bars li', { hasText: 'Hoạt động truyền thông' }).getByText(materials).waitFor();
  await shot(page, '17-my-work');
  // A range typed by hand, the wrong way round, is still read as a range; October is empty.
  await page.getByRole('button', { name: 'Khoảng ngày' }).click();
  await page.getByLabel('Từ ngày').fill('31/10/2026');
  await page.getByLabel('Đến ngày').fill('01/10/2026');
  await page.getByRole('button', { name: 'Xem', exact: true }).click();
  await page.getByText('Chưa có hoạt động nào trong kỳ này.').waitFor();
  await page.getByRole('button', { name: 'Tháng hành động' }).click();
  promise('lost', (await tiles(page)).activities === 2, 'the Action Month (15/11–15/12/2026) misses the two events');

  // A collector is not shown the province's reports, and the server refuses them (403).
  await page.goto(new URL('/#/reports', page.url()).href);
  await page.getByText('Chỉ cán bộ giám sát và quản trị được xem báo cáo.').waitFor();
  const refused = await server
    .api('GET', '/reports/summary?year=2026', { token: await server.token('lan') })
    .then(() => 'allowed', (e) => e.message);
  promise('overwritten', refused.includes('403'), `a collector's summary request: ${refused}`);

  // Back online, the records are sent.
  await collector.offline(false);
  await eventually('the two records to be sent', async () => {
    const c = await counts(page);
    if (c.synced === 2 && c.waiting === 0) return true;
    await syncNow(page).catch(() => {});
    return false;
  }, 60_000, 1_000);

  // The supervisor sees the same figures from the server, this month and this year.
  const desk = await supervisor.open();
  await supervisor.context.clock.setFixedTime(TODAY);
  await signIn(desk, server, 'province');
  await desk.getByRole('link', { name: 'Báo cáo' }).click();
  await desk.getByRole('heading', { name: 'Báo cáo' }).waitFor();
  const report = await tiles(desk);
  const summary = await server.api('GET', '/reports/summary?from=2026-11-01&to=2026-11-30', {
    token: await server.token('province'),
  });
  promise(
    'lost',
    report.activities === 2 && report.participants === 10 && summary.totals.participants.total === 10,
    `the report shows ${JSON.stringify(report)}, the server's summary ${JSON.stringify(summary.totals)}`,
  );
  promise('overwritten', report.share === '70,0%', `women's share ${report.share}`);
  await desk.getByText('Hoạt động truyền thông').first().waitFor();
  await desk.getByText('Theo dân tộc').waitFor();
  await desk.locator('.bars li', { hasText: 'Kinh' }).getByText('Nam 3 · Nữ 7').waitFor();
  const outreach = summary.forms.find((f) => f.form_id === 'outreach_event');
  const sent = outreach.figures.find((f) => f.field === 'materials_distributed');
  promise('lost', sent.value === 65, `the server's materials figure: ${JSON.stringify(outreach.figures)}`);
  await desk.locator('.bars li', { hasText: 'Hoạt động truyền thông' }).getByText(materials).waitFor();
  await shot(desk, '18-reports');
  await desk.getByRole('button', { name: 'Năm nay' }).click();
  promise('lost', (await tiles(desk)).activities === 2, 'the year 2026 misses the two events');

  // The annual report downloads as an XLSX file (a zip), with the bearer token.
  const [download] = await Promise.all([
    desk.waitForEvent('download', { timeout: 30_000 }),
    desk.getByRole('button', { name: 'Tải báo cáo năm 2026 (Excel)' }).click(),
  ]);
  promise('lost', download.suggestedFilename() === 'bao-cao-binh-dang-gioi-2026.xlsx', download.suggestedFilename());
  const bytes = readFileSync(await download.path());
  promise('lost', bytes.length > 1000 && bytes.subarray(0, 2).toString() === 'PK', `${bytes.length} bytes, not an XLSX`);

  // The year month by month: November holds both events, as the server's trend says.
  const token = await server.token('province');
  const trend = await server.api('GET', '/reports/trend?year=2026', { token });
  const november = trend.months[10];
  promise(
    'lost',
    november.activities === 2 && november.participants.male === 3 && november.participants.female === 7,
    `the server's trend for November: ${JSON.stringify(november)}`,
  );
  await desk.getByRole('heading', { name: 'Theo tháng' }).waitFor();
  const months = desk.locator('.bars').last().locator('li');
  promise('lost', (await months.count()) === 12, `${await months.count()} months in the chart, not 12`);
  const nov = await months.nth(10).innerText();
  promise(
    'lost',
    nov.includes('Tháng 11/2026') && nov.includes('2 hoạt động · Nam 3 · Nữ 7'),
    `November in the chart: ${nov}`,
  );
  const oct = await months.nth(9).innerText();
  promise('overwritten', oct.includes('0 hoạt động · Nam 0 · Nữ 0'), `October in the chart: ${oct}`);
  await months.nth(10).scrollIntoViewIfNeeded();
  await shot(desk, '19-reports-by-month');

  // Another year: 2025 had nothing; and back.
  await desk.getByRole('button', { name: '‹ 2025' }).click();
  await desk.getByText('01/01/2025 – 31/12/2025').waitFor();
  promise('overwritten', (await tiles(desk)).activities === 0, 'the year 2025 shows activities');
  await desk.getByText('Chưa có hoạt động nào trong kỳ này.').waitFor();
  await desk.getByRole('button', { name: '2026 ›' }).click();
  await desk.getByText('01/01/2026 – 31/12/2026').waitFor();

  // The Action Month (15/11–15/12/2026): the server's figures by activity type and ethnicity.
  await desk.getByRole('button', { name: 'Tháng hành động' }).click();
  await desk.getByText('15/11/2026 – 15/12/2026').waitFor();
  const am = await server.api('GET', '/reports/summary?action_month=2026', { token });
  const amTiles = await tiles(desk);
  promise(
    'lost',
    amTiles.activities === am.totals.activities && amTiles.participants === am.totals.participants.total &&
      am.totals.activities === 2,
    `the Action Month shows ${JSON.stringify(amTiles)}, the server ${JSON.stringify(am.totals)}`,
  );
  promise('overwritten', amTiles.share === '70,0%', `Action Month women's share ${amTiles.share}`);
  await desk.locator('.bars li', { hasText: 'Hoạt động truyền thông' }).getByText('2 hoạt động · Nam 3 · Nữ 7').waitFor();
  await desk.locator('.bars li', { hasText: 'Kinh' }).getByText('Nam 3 · Nữ 7').waitFor();
  await shot(desk, '20-reports-action-month');
  // The previous year's Action Month is one tap away, and empty here.
  await desk.getByRole('button', { name: '‹ 2025' }).click();
  await desk.getByText('15/11/2025 – 15/12/2025').waitFor();
  await desk.getByText('Chưa có hoạt động nào trong kỳ này.').waitFor();
  await desk.getByRole('button', { name: '2026 ›' }).click();

  // The annual report opens in the app, with the server's figures, and prints.
  await desk.getByRole('button', { name: 'Năm nay' }).click();
  await desk.getByRole('button', { name: 'Xem và in báo cáo năm 2026' }).click();
  const annual = desk.frameLocator('#annual');
  await annual.getByText('BÁO CÁO KẾT QUẢ THỰC HIỆN KẾ HOẠCH BÌNH ĐẲNG GIỚI NĂM 2026').waitFor({ timeout: 20_000 });
  const overview = await annual.locator('section').first().locator('tbody tr').first().locator('td').allInnerTexts();
  promise(
    'lost',
    overview[0] === '1' && overview[3] === '2' && overview[4] === '10' && overview[5] === '3' && overview[6] === '7' &&
      overview[7] === '70,0',
    `the annual page's communication row: ${JSON.stringify(overview)}`,
  );
  await shot(desk, '21-annual-report');
  // The server's page runs no script in the app (issue 12, item 10): sandboxed, no allow-scripts.
  const sandbox = await desk.locator('#annual').getAttribute('sandbox');
  promise('overwritten', sandbox !== null && !sandbox.includes('allow-scripts'), `the annual frame's sandbox: ${sandbox}`);
  await desk.evaluate(() => {
    const frame = document.getElementById('annual').contentWindow;
    frame.print = () => { window.sotayPrinted = (window.sotayPrinted || 0) + 1; };
  });
  await desk.getByRole('button', { name: 'In báo cáo' }).click();
  promise('lost', (await desk.evaluate(() => window.sotayPrinted)) === 1, 'the report page was not printed');
  await desk.getByRole('button', { name: 'Đóng' }).click();
  await desk.getByRole('heading', { name: 'Theo tháng' }).waitFor();

  // Offline, the report says it needs a connection, and comes back with it.
  await supervisor.offline(true);
  await desk.getByText('Cần có mạng để xem báo cáo.').waitFor();
  await shot(desk, '18-reports-offline');
  await supervisor.offline(false);
  promise('lost', (await tiles(desk)).activities === 2, 'the report does not come back online');
});
