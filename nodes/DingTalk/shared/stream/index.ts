/**
 * DingTalk storage events over Stream mode, for the Event Trigger (n8n-free). A trigger
 * subscribes its space (`subscribeStorageEvents`, once at activation) and listens through the
 * process's one connection per app (`sharedStreamRegistry.subscribe`).
 */
export {
	EVENT_SUBSCRIPTION_APIS,
	subscribeStorageEvents,
	unsubscribeStorageEvents,
	type EventScope,
} from './eventSubscription';
export { DEFAULT_CONNECTION_OPTIONS, type ConnectionOptions, type StreamState } from './connection';
export { STREAM_CLIENT_NAME, type StreamApp } from './gateway';
export {
	sharedStreamRegistry,
	StreamRegistry,
	type StreamSubscriber,
	type StreamSubscription,
} from './registry';
export { STORAGE_EVENT_TYPES, type StorageEvent, type StorageEventType } from './storageEvents';
