// @ts-check
'use strict';
/**
 * DingTalk's Stream mode gateway, emulated (see the reference's "Stream mode"), on its own
 * port as the real one is on its own host:
 *  - `POST /v1.0/gateway/connections/open` (served by the API server, see streamRoutes.js)
 *    checks the app's key and secret and hands out a WebSocket endpoint and a one-time ticket;
 *  - the WebSocket at `/connect?ticket=` speaks the protocol: SYSTEM CONNECTED on open, a
 *    `ping` now and then (its answer checked), EVENT frames, their acknowledgements recorded,
 *    `disconnect` and abrupt drops on demand;
 *  - storage events: every change to the tree of a subscribed space (the storage API's
 *    `events/subscribe`) goes, as one EVENT, to ONE open connection of the app, round robin,
 *    as DingTalk balances an app's events across its connections. An event raised while no
 *    connection is open is lost, as in life.
 * Nothing here records the app secret or a ticket in what tests can read.
 */
const http = require('node:http');
const { randomBytes, randomUUID } = require('node:crypto');
const { WebSocketServer, WebSocket } = require('ws');
const { ApiFault } = require('./errors');

const CONNECT_PATH = '/connect';
/** The organization the emulated app belongs to: the scope ID of an ORG subscription. */
const EMULATOR_CORP_ID = 'dingemulatorcorp';
const DEFAULT_PING_INTERVAL_MS = 30_000;

/** @type {Record<'created'|'updated'|'deleted', string>} */
const EVENT_TYPES = {
	created: 'storage_dentry_create',
	updated: 'storage_dentry_update',
	deleted: 'storage_dentry_delete',
};

/**
 * @typedef {object} GatewayConnection
 * @property {string} id
 * @property {import('ws').WebSocket} ws
 * @property {{type: string, topic: string}[]} subscriptions  what it asked for when its ticket was issued
 * @property {number} openedAt
 * @property {Map<string, {headers: Record<string, string>, data: string}>} pings  unanswered pings, by messageId
 * @property {NodeJS.Timeout} [pingTimer]
 * @property {boolean} retiring                   sent `disconnect`: new events go elsewhere when they can
 * @property {boolean} endedByGateway             the gateway closed or dropped it
 * @property {boolean} [silenced]                 reads nothing, sends nothing (a connection dead on the way)
 */

/**
 * @typedef {object} Delivery  one EVENT frame sent
 * @property {string} eventId
 * @property {string} messageId
 * @property {string} connectionId
 * @property {string} eventType
 * @property {string} data       the payload (a JSON text)
 * @property {boolean} acked
 */

/** The gateway's counters and pending switches, as after a reset. */
function initialCounts() {
	return {
		/** WebSocket connections accepted. */
		opened: 0,
		/** Upgrades refused for a missing, unknown or used ticket. */
		refusedUpgrades: 0,
		/** WebSocket pings received from clients (their heartbeats). */
		clientPings: 0,
		/** How many of the next events are delivered twice. */
		duplicateNext: 0,
		/** Where the round robin over connections stands. */
		roundRobin: 0,
	};
}

class StreamGateway {
	/**
	 * @param {object} app
	 * @param {string} app.appKey
	 * @param {string} app.appSecret
	 * @param {() => string} app.unionId           the operator named in events
	 * @param {(spaceId: string) => void} app.checkSpace  throws ApiFault spaceNotExist for an unknown space
	 */
	constructor(app) {
		this.app = app;
		this.server = http.createServer((_req, res) => {
			res.writeHead(404, { 'content-length': 0 });
			res.end();
		});
		this.wss = new WebSocketServer({ noServer: true });
		this.server.on('upgrade', (req, socket, head) =>
			this.upgrade(req, /** @type {import('node:net').Socket} */ (socket), head),
		);
		/** Open connections, by ID, in the order they opened. @type {Map<string, GatewayConnection>} */
		this.connections = new Map();
		/** Timers of disconnects in progress. @type {Set<NodeJS.Timeout>} */
		this.timers = new Set();
		this.port = 0;
		/** One-time tickets not used yet, with what the connection subscribes to. @type {Map<string, {type: string, topic: string}[]>} */
		this.tickets = new Map();
		/** `SPACE:<id>` or `ORG:<corpId>`. @type {Set<string>} */
		this.subscriptions = new Set();
		/** The connections/open requests that got a ticket (no secret kept). @type {{ua: unknown, subscriptions: unknown}[]} */
		this.opens = [];
		/** @type {Delivery[]} */
		this.deliveries = [];
		/** Acknowledgements received. @type {{connectionId: string, messageId: string, eventId: string, code: unknown, status: unknown, onSameConnection: boolean}[]} */
		this.acks = [];
		/** Answers to pings. @type {{connectionId: string, messageId: string, matches: boolean}[]} */
		this.pingAnswers = [];
		/** Events raised with no connection open. @type {{eventId: string, eventType: string, data: string}[]} */
		this.lost = [];
		/** Connections that ended. @type {{connectionId: string, code: number, by: 'client'|'gateway'}[]} */
		this.closures = [];
		/** Messages from clients that are neither an ack nor a ping's answer. @type {string[]} */
		this.strayMessages = [];
		/** The next connections/open requests that fail. @type {{code: string, remaining: number}[]} */
		this.failingOpens = [];
		this.counts = initialCounts();
		this.pingIntervalMs = DEFAULT_PING_INTERVAL_MS;
	}

	/** Back to the start (the emulator's reset): records, subscriptions, tickets, switches; open connections stay open. */
	clear() {
		for (const collection of [this.tickets, this.subscriptions]) collection.clear();
		for (const list of [
			this.opens,
			this.deliveries,
			this.acks,
			this.pingAnswers,
			this.lost,
			this.closures,
			this.strayMessages,
			this.failingOpens,
		])
			list.length = 0;
		this.counts = initialCounts();
		this.pingIntervalMs = DEFAULT_PING_INTERVAL_MS;
		for (const connection of this.connections.values()) this.schedulePings(connection);
	}

	async listen() {
		await new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve(undefined)));
		this.port = /** @type {import('node:net').AddressInfo} */ (this.server.address()).port;
	}

	async close() {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const connection of this.connections.values()) {
			clearInterval(connection.pingTimer);
			connection.ws.terminate();
		}
		this.wss.close();
		this.server.closeAllConnections();
		await new Promise((resolve) => this.server.close(() => resolve(undefined)));
	}

	// ---- the API side (index.js routes these) ----

	/**
	 * `POST /v1.0/gateway/connections/open`: the app's key and secret checked, a ticket issued.
	 * Throws ApiFault for a refusal.
	 * @param {any} body
	 */
	openConnection(body) {
		const forced = this.failingOpens[0];
		if (forced) {
			if (--forced.remaining <= 0) this.failingOpens.shift();
			throw new ApiFault(forced.code);
		}
		if (body?.clientId !== this.app.appKey || body?.clientSecret !== this.app.appSecret) {
			throw new ApiFault('invalidClientSecret', 'clientId or clientSecret is wrong');
		}
		const subscriptions = body.subscriptions;
		if (
			!Array.isArray(subscriptions) ||
			subscriptions.some(
				(each) => typeof each?.type !== 'string' || typeof each?.topic !== 'string',
			)
		) {
			throw new ApiFault('paramError', 'subscriptions must be a list of {type, topic}');
		}
		const ticket = randomBytes(18).toString('base64');
		this.tickets.set(
			ticket,
			subscriptions.map((each) => ({ type: each.type, topic: each.topic })),
		);
		this.opens.push({ ua: body.ua, subscriptions });
		return { endpoint: `ws://127.0.0.1:${this.port}${CONNECT_PATH}`, ticket };
	}

	/**
	 * `POST /v1.0/storage/events/subscribe` and `/unsubscribe`: `{scope, scopeId}`.
	 * @param {any} body @param {boolean} on
	 */
	subscribe(body, on) {
		const scope = body?.scope;
		const scopeId = typeof body?.scopeId === 'number' ? String(body.scopeId) : body?.scopeId;
		if (typeof scopeId !== 'string' || scopeId === '')
			throw new ApiFault('paramError', 'scopeId is required');
		if (scope === 'SPACE') this.app.checkSpace(scopeId);
		else if (scope === 'ORG' && scopeId !== EMULATOR_CORP_ID)
			throw new ApiFault('paramError', 'scopeId is not the corpId of this organization');
		else if (scope !== 'ORG') throw new ApiFault('paramError', 'scope must be SPACE or ORG');
		if (on) this.subscriptions.add(`${scope}:${scopeId}`);
		else this.subscriptions.delete(`${scope}:${scopeId}`);
		return { success: true };
	}

	// ---- the WebSocket side ----

	/**
	 * @param {http.IncomingMessage} req @param {import('node:net').Socket} socket @param {Buffer} head
	 */
	upgrade(req, socket, head) {
		socket.on('error', () => undefined);
		const url = new URL(req.url ?? '/', 'http://gateway');
		const ticket = url.searchParams.get('ticket') ?? '';
		const subscriptions = url.pathname === CONNECT_PATH ? this.tickets.get(ticket) : undefined;
		if (!subscriptions) {
			this.counts.refusedUpgrades++;
			socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
			return;
		}
		// One ticket, one connection.
		this.tickets.delete(ticket);
		this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, subscriptions));
	}

	/** @param {import('ws').WebSocket} ws @param {{type: string, topic: string}[]} subscriptions */
	accept(ws, subscriptions) {
		/** @type {GatewayConnection} */
		const connection = {
			id: randomUUID(),
			ws,
			subscriptions,
			openedAt: Date.now(),
			pings: new Map(),
			retiring: false,
			endedByGateway: false,
		};
		this.connections.set(connection.id, connection);
		this.counts.opened++;
		ws.on('error', () => undefined);
		ws.on('ping', () => this.counts.clientPings++);
		ws.on('message', (data) => this.receive(connection, data.toString()));
		ws.on('close', (code) => {
			clearInterval(connection.pingTimer);
			this.connections.delete(connection.id);
			this.closures.push({
				connectionId: connection.id,
				code,
				by: connection.endedByGateway ? 'gateway' : 'client',
			});
		});
		this.sendSystem(connection, 'CONNECTED', { connectionId: connection.id });
		this.schedulePings(connection);
	}

	/** @param {GatewayConnection} connection */
	schedulePings(connection) {
		clearInterval(connection.pingTimer);
		connection.pingTimer = undefined;
		if (this.pingIntervalMs > 0 && !connection.silenced)
			connection.pingTimer = setInterval(() => this.ping(connection), this.pingIntervalMs).unref();
	}

	/**
	 * @param {GatewayConnection} connection @param {string} topic @param {unknown} data
	 * @returns {{headers: Record<string, string>, data: string}}
	 */
	sendSystem(connection, topic, data) {
		const frame = {
			specVersion: '1.0',
			type: 'SYSTEM',
			headers: {
				contentType: 'application/json',
				messageId: `emu-msg-${randomBytes(8).toString('hex')}`,
				time: String(Date.now()),
				topic,
			},
			data: JSON.stringify(data),
		};
		if (connection.ws.readyState === WebSocket.OPEN) connection.ws.send(JSON.stringify(frame));
		return frame;
	}

	/** @param {GatewayConnection} connection */
	ping(connection) {
		const frame = this.sendSystem(connection, 'ping', { opaque: randomUUID() });
		connection.pings.set(frame.headers.messageId, frame);
		return frame.headers.messageId;
	}

	/** @param {GatewayConnection} connection @param {string} text */
	receive(connection, text) {
		let message;
		try {
			message = JSON.parse(text);
		} catch {
			this.strayMessages.push(text);
			return;
		}
		const messageId = message?.headers?.messageId;
		const ping = connection.pings.get(messageId);
		if (ping) {
			connection.pings.delete(messageId);
			const sameHeaders = JSON.stringify(message.headers) === JSON.stringify(ping.headers);
			this.pingAnswers.push({
				connectionId: connection.id,
				messageId,
				matches: message.code === 200 && message.data === ping.data && sameHeaders,
			});
			return;
		}
		const delivery = this.deliveries.find((each) => each.messageId === messageId);
		if (!delivery) {
			this.strayMessages.push(text);
			return;
		}
		let status;
		try {
			status = JSON.parse(message.data).status;
		} catch {
			status = undefined;
		}
		delivery.acked = true;
		this.acks.push({
			connectionId: connection.id,
			messageId,
			eventId: delivery.eventId,
			code: message.code,
			status,
			onSameConnection: delivery.connectionId === connection.id,
		});
	}

	// ---- events ----

	/** @param {string} spaceId */
	subscribed(spaceId) {
		return (
			this.subscriptions.has(`SPACE:${spaceId}`) ||
			this.subscriptions.has(`ORG:${EMULATOR_CORP_ID}`)
		);
	}

	/**
	 * A change to the tree (Drive's onChange): one storage event, when its space is subscribed.
	 * @param {import('./drive').DriveChange} change
	 */
	storageChanged(change) {
		if (!this.subscribed(change.spaceId)) return;
		const data = {
			spaceId: change.spaceId,
			dentryId: change.dentryId,
			eventScope: 'SPACE',
			eventScopeId: change.spaceId,
			...(change.extension ? { extension: change.extension } : {}),
			unionId: this.app.unionId(),
			type: change.type,
		};
		this.emit({ eventType: EVENT_TYPES[change.kind], data: JSON.stringify(data) });
	}

	/**
	 * The connection the next event goes to: the app's open connections in turn, those the
	 * gateway has asked to go only when there is no other.
	 * @param {string} eventType
	 */
	nextConnection(eventType) {
		const willing = [...this.connections.values()].filter(
			(each) =>
				each.ws.readyState === WebSocket.OPEN &&
				each.subscriptions.some(
					(s) => s.type === 'EVENT' && (s.topic === '*' || s.topic === eventType),
				),
		);
		const preferred = willing.filter((each) => !each.retiring);
		const candidates = preferred.length > 0 ? preferred : willing;
		if (candidates.length === 0) return undefined;
		return candidates[this.counts.roundRobin++ % candidates.length];
	}

	/**
	 * Sends one EVENT (twice, as two deliveries of the same eventId, while duplicates are asked for).
	 * @param {{eventType: string, data: string, eventId?: string}} event
	 * @returns {{eventId: string, deliveries: Delivery[]}}
	 */
	emit(event) {
		const eventId = event.eventId ?? `emu-event-${randomBytes(8).toString('hex')}`;
		const bornTime = String(Date.now());
		const copies = this.counts.duplicateNext > 0 ? 2 : 1;
		if (this.counts.duplicateNext > 0) this.counts.duplicateNext--;
		/** @type {Delivery[]} */
		const deliveries = [];
		for (let copy = 0; copy < copies; copy++) {
			const connection = this.nextConnection(event.eventType);
			if (!connection) continue;
			const messageId = `emu-msg-${randomBytes(8).toString('hex')}`;
			const frame = {
				specVersion: '1.0',
				type: 'EVENT',
				headers: {
					appId: `emu-app-${this.app.appKey}`,
					connectionId: connection.id,
					contentType: 'application/json',
					messageId,
					time: String(Date.now()),
					topic: event.eventType,
					eventType: event.eventType,
					eventId,
					eventBornTime: bornTime,
					eventCorpId: EMULATOR_CORP_ID,
					eventUnifiedAppId: `emu-app-${this.app.appKey}`,
				},
				data: event.data,
			};
			connection.ws.send(JSON.stringify(frame));
			const delivery = {
				eventId,
				messageId,
				connectionId: connection.id,
				eventType: event.eventType,
				data: event.data,
				acked: false,
			};
			this.deliveries.push(delivery);
			deliveries.push(delivery);
		}
		if (deliveries.length === 0)
			this.lost.push({ eventId, eventType: event.eventType, data: event.data });
		return { eventId, deliveries };
	}

	/** @param {number} graceMs */
	disconnectAll(graceMs) {
		for (const connection of this.connections.values()) {
			if (connection.retiring) continue;
			connection.retiring = true;
			this.sendSystem(connection, 'disconnect', { reason: 'persistent connection is timeout' });
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				connection.endedByGateway = true;
				connection.ws.close(1000, 'disconnect');
			}, graceMs);
			this.timers.add(timer);
		}
	}

	/** Every open connection goes silent: nothing read (no pong), nothing sent, the socket left open. */
	silenceAll() {
		for (const connection of this.connections.values()) {
			clearInterval(connection.pingTimer);
			connection.silenced = true;
			connection.ws.pause();
		}
	}

	dropAll() {
		for (const connection of this.connections.values()) {
			connection.endedByGateway = true;
			connection.ws.terminate();
		}
	}

	/** The controls tests use (the emulator's `stream`). */
	controls() {
		return {
			/** The WebSocket endpoint the gateway hands out (without a ticket). */
			endpoint: () => `ws://127.0.0.1:${this.port}${CONNECT_PATH}`,
			/** The open connections, oldest first. */
			connections: () =>
				[...this.connections.values()].map((each) => ({
					id: each.id,
					openedAt: each.openedAt,
					subscriptions: each.subscriptions,
					retiring: each.retiring,
				})),
			/** How many WebSocket connections were accepted since the last reset. */
			openedCount: () => this.counts.opened,
			/** Connections refused for a missing, unknown or already used ticket. */
			refusedUpgrades: () => this.counts.refusedUpgrades,
			/** Tickets issued since the last reset (`ua` and `subscriptions` of each request; the secret is not kept). */
			opens: () => [...this.opens],
			/** Connections that ended: their close code, and whether the client or the gateway ended them. */
			closures: () => [...this.closures],
			/** Every EVENT frame sent: eventId, messageId, the connection, the payload, whether it was acknowledged. */
			deliveries: () => [...this.deliveries],
			/** The acknowledgements received (status: SUCCESS, LATER...). */
			acks: () => [...this.acks],
			/** The answers to pings: `matches` when the answer echoed the ping's headers and data with code 200. */
			pingAnswers: () => [...this.pingAnswers],
			/** Events raised while no connection was open (lost, as with DingTalk). */
			lost: () => [...this.lost],
			/** Messages from clients that were neither an acknowledgement nor a ping's answer. */
			strayMessages: () => [...this.strayMessages],
			/** The storage event subscriptions (`SPACE:<spaceId>` or `ORG:<corpId>`). */
			subscriptions: () => [...this.subscriptions],
			/** The corp ID an ORG subscription names. */
			corpId: EMULATOR_CORP_ID,
			/** Sends a ping on every open connection now; returns their message IDs. */
			ping: () => [...this.connections.values()].map((each) => this.ping(each)),
			/**
			 * How often each connection is pinged (0: never); applies to open connections at once.
			 * @param {number} ms
			 */
			setPingInterval: (ms) => {
				this.pingIntervalMs = ms;
				for (const connection of this.connections.values()) this.schedulePings(connection);
			},
			/**
			 * Sends `disconnect` on every open connection, and closes each `graceMs` later, as the
			 * gateway retires connections. New events go to other connections meanwhile, when there are.
			 * @param {number} [graceMs]
			 */
			disconnect: (graceMs = 1000) => this.disconnectAll(graceMs),
			/** WebSocket pings received from clients (their heartbeats) since the last reset. */
			clientPings: () => this.counts.clientPings,
			/**
			 * Every open connection goes silent without closing, as one a NAT or proxy has dropped:
			 * it reads nothing (so no pong) and sends nothing. `dropConnections()` ends it.
			 */
			silenceConnections: () => this.silenceAll(),
			/** Drops every open connection abruptly (no close frame: the client sees the connection lost). */
			dropConnections: () => this.dropAll(),
			/**
			 * The next `count` events are each delivered twice (the same eventId, two messages,
			 * round robin like any other).
			 * @param {number} [count]
			 */
			duplicateNextEvents: (count = 1) => {
				this.counts.duplicateNext += count;
			},
			/**
			 * Raises an event as given (any event type, any payload) on one connection.
			 * @param {{eventType: string, data: string | object, eventId?: string}} event
			 */
			sendEvent: (event) =>
				this.emit({
					...event,
					data: typeof event.data === 'string' ? event.data : JSON.stringify(event.data),
				}),
			/**
			 * The next `count` connections/open requests answer this error code (default systemError, HTTP 500).
			 * @param {number} [count] @param {string} [code]
			 */
			failNextOpens: (count = 1, code = 'systemError') => {
				this.failingOpens.push({ code, remaining: count });
			},
		};
	}
}

module.exports = { StreamGateway, EMULATOR_CORP_ID };
