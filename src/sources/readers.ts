/** Source readers by platform and kind: what the `ingest` stage calls to poll a watched source. */
import type { Source } from '../db/sources';
import { PermanentError } from '../errors';
import type { SourceReader } from '../pipeline/ports';

export type KindReader = SourceReader & { everyMs: number };

/** Routes a poll to the reader registered for `platform/kind`. */
export class SourceReaders implements SourceReader {
  private readonly readers = new Map<string, KindReader>();

  register(platform: string, kind: string, reader: KindReader): this {
    this.readers.set(`${platform}/${kind}`, reader);
    return this;
  }

  /** The reader of a source, or null when its kind is not polled (webhooks, streams). */
  readerFor(source: Pick<Source, 'platform' | 'kind'>): KindReader | null {
    return this.readers.get(`${source.platform}/${source.kind}`) ?? null;
  }

  poll(source: Source) {
    const reader = this.readerFor(source);
    if (!reader) throw new PermanentError(`source ${source.id}: no reader for ${source.platform}/${source.kind}`);
    return reader.poll(source);
  }
}
