// Pictures for the photo scenarios (issue 16), made in the browser itself: a camera-sized
// JPEG to give the photo question, and many distinct sign-in sheets stored on a phone
// without taking each (as `copyQueuedRecord` does for records).

/**
 * A JPEG of `width`×`height` drawn in the page (a ruled sheet with handwriting-like strokes
 * and some noise, so it compresses like a photo of paper, not like a flat colour). With
 * `exif`, an EXIF block naming a GPS position is put after the JPEG's start, as a phone's
 * camera writes one. Returns a Buffer.
 */
export async function cameraJpeg(page, { width = 4000, height = 3000, seed = 1, exif = false } = {}) {
  const base64 = await page.evaluate(async ({ width, height, seed }) => {
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext('2d');
    let x = seed * 9301 + 49297;
    const rand = () => ((x = (x * 9301 + 49297) % 233280) / 233280);
    g.fillStyle = '#f4f1e8';
    g.fillRect(0, 0, width, height);
    g.strokeStyle = '#9bb';
    for (let y = height / 20; y < height; y += height / 20) {
      g.beginPath(); g.moveTo(0, y); g.lineTo(width, y); g.stroke();
    }
    g.fillStyle = '#123';
    g.font = `${Math.round(height / 30)}px serif`;
    for (let row = 1; row < 20; row++) {
      g.fillText(`${row}. Nguyễn Thị ${Math.floor(rand() * 1000)} — ký tên`, width / 20, (row * height) / 20 - 6);
    }
    // Sensor noise: what makes a real photo heavy.
    const img = g.getImageData(0, 0, width, height);
    for (let i = 0; i < img.data.length; i += 4) {
      const n = (rand() - 0.5) * 24;
      img.data[i] += n; img.data[i + 1] += n; img.data[i + 2] += n;
    }
    g.putImageData(img, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }, { width, height, seed });
  const jpeg = Buffer.from(base64, 'base64');
  return exif ? withExif(jpeg) : jpeg;
}

/** `jpeg` with an APP1 EXIF segment (a TIFF header and a GPS tag pointer) after its SOI. */
function withExif(jpeg) {
  const tiff = Buffer.from([
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF, IFD0 at 8
    0x00, 0x01, // one entry
    0x88, 0x25, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x1a, // GPSInfo → 26
    0x00, 0x00, 0x00, 0x00, // no next IFD
    0x00, 0x00, // GPS IFD: no entries (the marker is what a reader looks for)
    0x00, 0x00, 0x00, 0x00,
  ]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff, Buffer.from('GPS 15.1214N 108.8044E', 'latin1')]);
  const header = Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}

/**
 * Gives every queued record but `keep` (the one made through the form, whose photo the app
 * stored itself) a sign-in sheet of its own: a distinct JPEG of about `kb` KB stored in the
 * app's `photos` store beside the record and named in both the record and its outbox entry,
 * as the form does. Returns [{record_id, sha256, bytes}].
 */
export async function photosForQueuedRecords(page, keep, { kb = 120, field = 'sign_in_sheet' } = {}) {
  return page.evaluate(async ({ keep, kb, field }) => {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open('sotay');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const all = (store) => new Promise((ok, fail) => {
      const r = store.getAll();
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const keys = (store) => new Promise((ok, fail) => {
      const r = store.getAllKeys();
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const read = db.transaction(['outbox', 'records']);
    const [outbox, outboxKeys] = await Promise.all([all(read.objectStore('outbox')), keys(read.objectStore('outbox'))]);
    const made = [];
    const rows = [];
    let n = 0;
    for (let i = 0; i < outbox.length; i++) {
      const entry = JSON.parse(outbox[i].data);
      const id = entry.change.record.id;
      if (id === keep) continue;
      n += 1;
      // A page of its own: its number in big type, fine noise to reach about `kb` KB.
      const canvas = new OffscreenCanvas(1200, 900);
      const g = canvas.getContext('2d');
      g.fillStyle = '#fff';
      g.fillRect(0, 0, 1200, 900);
      g.fillStyle = '#000';
      g.font = '120px serif';
      g.fillText(`Trang ${n} · ${id.slice(0, 8)}`, 40, 450);
      const img = g.getImageData(0, 0, 1200, 900);
      let x = n * 7919;
      for (let p = 0; p < img.data.length; p += 4) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        const v = (x >> 16) % 40;
        img.data[p] -= v; img.data[p + 1] -= v; img.data[p + 2] -= v;
      }
      g.putImageData(img, 0, 0);
      let quality = 0.9;
      let blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
      while (blob.size > kb * 1024 && quality > 0.3) {
        quality -= 0.1;
        blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
      }
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
      const sha256 = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
      made.push({ record_id: id, sha256, bytes: blob.size });
      rows.push({ key: outboxKeys[i], entry, id, sha256, blob });
    }
    const tx = db.transaction(['outbox', 'records', 'photos'], 'readwrite');
    const records = tx.objectStore('records');
    for (const { key, entry, id, sha256, blob } of rows) {
      const answer = [{ sha256, bytes: blob.size }];
      entry.change.record.values[field] = answer;
      tx.objectStore('outbox').put({ ...outbox.find((o) => JSON.parse(o.data).change.record.id === id), data: JSON.stringify(entry) }, key);
      const local = await new Promise((ok) => {
        const r = records.get(id);
        r.onsuccess = () => ok(r.result);
      });
      const data = JSON.parse(local.data);
      data.record.values[field] = answer;
      records.put({ ...local, data: JSON.stringify(data) }, id);
      tx.objectStore('photos').put({ record_id: id, sha256, sent: false, blob }, `${id}/${sha256}`);
    }
    await new Promise((ok, fail) => {
      tx.oncomplete = ok;
      tx.onerror = () => fail(tx.error);
      tx.onabort = () => fail(tx.error ?? new Error('aborted'));
    });
    db.close();
    return made;
  }, { keep, kb, field });
}

/** The phone's photo rows: how many, and how many the server has not confirmed. */
export async function phonePhotos(page) {
  return page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open('sotay');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const rows = await new Promise((ok, fail) => {
      const r = db.transaction('photos').objectStore('photos').getAll();
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    db.close();
    return { total: rows.length, unsent: rows.filter((r) => !r.sent).length, blobs: rows.filter((r) => r.blob instanceof Blob).length };
  });
}
