// Issue 6 on the phone: a collector's "Công việc của tôi" counted from the records on the
// phone (offline too), and a supervisor's "Báo cáo" from the server — totals that match what
// the collector sent, charts, the annual report's download, and the offline and 403 states.

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
  await fillOutreach(page, { place: 'Báo cáo 1', girls: 3, boys: 2 });
  await fillOutreach(page, { place: 'Báo cáo 2', girls: 4, boys: 1 });

  // My work is counted on the phone: no connection needed.
  await page.getByRole('link', { name: 'Công việc của tôi' }).click();
  await page.getByRole('heading', { name: 'Công việc của tôi' }).waitFor();
  const mine = await tiles(page);
  promise('lost', mine.activities === 2 && mine.participants === 10, `my work shows ${JSON.stringify(mine)}`);
  promise('overwritten', mine.share === '70,0%', `women's share ${mine.share}, expected 70,0%`);
  await page.getByText('Nam 3 · Nữ 7').first().waitFor();
  await page.locator('.bars svg rect.f').first().waitFor();
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

  // Offline, the report says it needs a connection, and comes back with it.
  await supervisor.offline(true);
  await desk.getByText('Cần có mạng để xem báo cáo.').waitFor();
  await shot(desk, '18-reports-offline');
  await supervisor.offline(false);
  promise('lost', (await tiles(desk)).activities === 2, 'the report does not come back online');
});
