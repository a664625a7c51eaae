// Many finished records on a phone without typing each: the first one is made through the
// form, then copied in the app's own IndexedDB layout (records + outbox rows written in one
// transaction, as `Storage::queue` does), each copy with its own record id, change id and
// place. A phone that has collected for weeks looks exactly like this.

/**
 * Copies the one queued record `count - 1` times. `place(i)` names copy i (1-based);
 * `commune(i)`, when given, moves copy i to another commune. Returns the places.
 */
export async function copyQueuedRecord(page, count, place, commune = () => null) {
  return page.evaluate(
    async ({ count, places, communes }) => {
      const db = await new Promise((ok, fail) => {
        const r = indexedDB.open('sotay');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      const done = (tx) => new Promise((ok, fail) => {
        tx.oncomplete = ok;
        tx.onerror = () => fail(tx.error);
        tx.onabort = () => fail(tx.error ?? new Error('aborted'));
      });
      const all = (store) => new Promise((ok, fail) => {
        const r = store.getAll();
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      const read = db.transaction(['outbox', 'records', 'meta']);
      const [outbox] = await all(read.objectStore('outbox')).then((rows) => [rows]);
      if (outbox.length !== 1) throw new Error(`expected one queued record to copy, found ${outbox.length}`);
      const original = outbox[0];
      const recordRow = await new Promise((ok) => {
        const r = read.objectStore('records').get(JSON.parse(original.data).change.record.id);
        r.onsuccess = () => ok(r.result);
      });
      const seq0 = await new Promise((ok) => {
        const r = read.objectStore('meta').get('outbox_seq');
        r.onsuccess = () => ok(JSON.parse(r.result ?? '0'));
      });
      const tx = db.transaction(['outbox', 'records', 'meta'], 'readwrite');
      for (let i = 1; i < count; i++) {
        const entry = JSON.parse(original.data);
        const local = JSON.parse(recordRow.data);
        const id = crypto.randomUUID();
        for (const record of [entry.change.record, local.record]) {
          record.id = id;
          record.values.place = places[i];
          if (communes[i]) record.location.unit_code = communes[i];
        }
        entry.change.change_id = crypto.randomUUID();
        tx.objectStore('records').put({ ...recordRow, data: JSON.stringify(local) }, id);
        tx.objectStore('outbox').put(
          { seq: seq0 + i, record_id: id, data: JSON.stringify(entry) },
          entry.change.change_id,
        );
      }
      tx.objectStore('meta').put(JSON.stringify(seq0 + count), 'outbox_seq');
      await done(tx);
      db.close();
      return places;
    },
    {
      count,
      places: Array.from({ length: count }, (_, i) => place(i)),
      communes: Array.from({ length: count }, (_, i) => commune(i)),
    },
  );
}
