import { redisOptionsFromN8n } from '../../nodes/DingTalk/n8n/sharedRateLimit';
import { encodeCommand, parseReply, RedisReplyError } from '../../nodes/DingTalk/shared/transport/redis';

describe('RESP', () => {
	test('a command is an array of bulk strings (bytes, not characters, counted)', () => {
		expect(encodeCommand(['SET', 'k', '值', 12]).toString()).toBe('*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n值\r\n$2\r\n12\r\n');
	});

	test('replies of every kind, and none until a reply is whole', () => {
		expect(parseReply(Buffer.from('+OK\r\n'))).toEqual({ reply: 'OK', next: 5 });
		expect(parseReply(Buffer.from(':1050\r\n'))).toEqual({ reply: 1050, next: 7 });
		expect(parseReply(Buffer.from('$-1\r\n'))).toEqual({ reply: null, next: 5 });
		expect(parseReply(Buffer.from('$3\r\nab'))).toBeUndefined();
		expect(parseReply(Buffer.from('*2\r\n$1\r\na\r\n:3\r\n'))).toEqual({ reply: ['a', 3], next: 15 });
		expect(parseReply(Buffer.from('*2\r\n$1\r\na\r\n'))).toBeUndefined();
		const error = parseReply(Buffer.from('-NOSCRIPT No matching script\r\n'))!.reply;
		expect(error).toBeInstanceOf(RedisReplyError);
		expect((error as Error).message).toBe('NOSCRIPT No matching script');
		expect(() => parseReply(Buffer.from('?what\r\n'))).toThrow(/not RESP/);
	});
});

describe("n8n's queue Redis settings", () => {
	const read = (values: Record<string, string>) => (name: string) => values[name];

	test('only in queue mode, and not for Redis Cluster', () => {
		expect(redisOptionsFromN8n(read({}))).toBeUndefined();
		expect(redisOptionsFromN8n(read({ EXECUTIONS_MODE: 'regular', QUEUE_BULL_REDIS_HOST: 'redis' }))).toBeUndefined();
		expect(redisOptionsFromN8n(read({ EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_CLUSTER_NODES: 'a:6379,b:6379' }))).toBeUndefined();
	});

	test("n8n's defaults and every QUEUE_BULL_REDIS_* setting", () => {
		expect(redisOptionsFromN8n(read({ EXECUTIONS_MODE: 'queue' }))).toEqual(
			expect.objectContaining({ host: 'localhost', port: 6379, db: 0, username: undefined, password: undefined, tls: false }),
		);
		expect(
			redisOptionsFromN8n(
				read({
					EXECUTIONS_MODE: 'queue',
					QUEUE_BULL_REDIS_HOST: 'redis.internal',
					QUEUE_BULL_REDIS_PORT: '6380',
					QUEUE_BULL_REDIS_DB: '2',
					QUEUE_BULL_REDIS_USERNAME: 'n8n',
					QUEUE_BULL_REDIS_PASSWORD: 'pw',
					QUEUE_BULL_REDIS_TLS: 'true',
				}),
			),
		).toEqual(expect.objectContaining({ host: 'redis.internal', port: 6380, db: 2, username: 'n8n', password: 'pw', tls: true }));
	});
});
