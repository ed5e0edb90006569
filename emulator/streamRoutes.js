// @ts-check
'use strict';
/**
 * The APIs of Stream mode, answered by the gateway (stream.js): opening a connection (the
 * app's key and secret in the body, no token) and the storage event (un)subscriptions.
 */

/**
 * @param {import('./state').EmulatorState} shared
 * @returns {import('./api').Route[]}
 */
function streamRoutes(shared) {
	const gateway = shared.gateway;
	return [
		{
			method: 'POST',
			pattern: /^\/v1\.0\/gateway\/connections\/open$/,
			api: 'gateway.connections.open',
			public: true,
			handle: ({ body }) => gateway.openConnection(body),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/events\/subscribe$/,
			api: 'events.subscribe',
			permission: 'Storage.Event.Write',
			handle: ({ body }) => gateway.subscribe(body, true),
		},
		{
			method: 'POST',
			pattern: /^\/v1\.0\/storage\/events\/unsubscribe$/,
			api: 'events.unsubscribe',
			permission: 'Storage.Event.Write',
			handle: ({ body }) => gateway.subscribe(body, false),
		},
	];
}

module.exports = { streamRoutes };
