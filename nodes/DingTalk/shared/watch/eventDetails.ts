/**
 * One details query per storage event in the process, however many Event Triggers the event
 * concerns: every trigger on an app gets every event of the app (one connection per app), so
 * two triggers watching two folders of one space would otherwise each read the same entry.
 * The first asker's read is shared with those who ask for the same event (same app, operator
 * and entry) while it runs and for `ttlMs` after; at most `maxEntries` answers are kept.
 */
export class SharedReads<T> {
	private readonly entries = new Map<string, { value: Promise<T>; expires: number }>();

	constructor(
		private readonly ttlMs = 60_000,
		private readonly maxEntries = 1_000,
		private readonly now: () => number = () => Date.now(),
	) {}

	/** The answer for `key`: a running or recent read's, or a new `read()`. A failed read is not kept. */
	async get(key: string, read: () => Promise<T>): Promise<T> {
		const time = this.now();
		const known = this.entries.get(key);
		if (known && known.expires > time) return await known.value;
		if (known) this.entries.delete(key);
		const value = read();
		this.entries.set(key, { value, expires: time + this.ttlMs });
		while (this.entries.size > this.maxEntries)
			this.entries.delete(this.entries.keys().next().value as string);
		try {
			return await value;
		} catch (error) {
			if (this.entries.get(key)?.value === value) this.entries.delete(key);
			throw error;
		}
	}

	get size(): number {
		return this.entries.size;
	}
}
