/** `ingest`: poll one watched source from its cursor, store what is new, move the cursor. */
import { PermanentError } from '../../errors';
import { ingestMessage } from '../../ingest/ingest';
import { defineStage } from '../stage';

export const ingest = defineStage('ingest', async ({ sourceId }, deps) => {
  const source = await deps.db.sources.get(sourceId);
  if (!source) throw new PermanentError(`source ${sourceId} not found`);
  if (!source.enabled) return 'skipped';
  const { messages, nextCursor } = await deps.sources.poll(source);
  for (const raw of messages) await ingestMessage(deps, { ...raw, sourceId: raw.sourceId ?? source.id });
  // Messages first, cursor second: a crash in between re-reads a page, and upsert makes that harmless.
  const moved = await deps.db.sources.saveCursor(source.id, source.cursor, nextCursor);
  deps.log.info('source.polled', { sourceId, messages: messages.length, cursorMoved: moved });
  return messages.length > 0 ? 'done' : 'skipped';
});
