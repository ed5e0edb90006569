/** How many event IDs a connection remembers to recognise a repeated event. */
export const DEFAULT_REMEMBERED_EVENTS = 10_000;

/**
 * The most recently seen IDs, at most `capacity` of them: memory stays bounded however
 * long a connection lives. DingTalk repeats an event soon after the first delivery (an
 * acknowledgement it did not receive, a reconnect), so the latest IDs are the ones worth
 * keeping; the oldest is forgotten first.
 */
export class RecentIds {
	// A Set iterates in insertion order: its first value is the oldest.
	private readonly ids = new Set<string>();

	constructor(readonly capacity = DEFAULT_REMEMBERED_EVENTS) {
		if (!Number.isInteger(capacity) || capacity < 1)
			throw new RangeError(`capacity must be a whole number of 1 or more, got ${capacity}`);
	}

	/** Remembers `id`. True the first time (within memory), false for a repeat. */
	add(id: string): boolean {
		if (this.ids.has(id)) {
			// Seen again: now among the most recent, so a third delivery is still recognised.
			this.ids.delete(id);
			this.ids.add(id);
			return false;
		}
		this.ids.add(id);
		if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
		return true;
	}

	has(id: string): boolean {
		return this.ids.has(id);
	}

	get size(): number {
		return this.ids.size;
	}
}
