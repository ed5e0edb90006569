import { redisOptionsFromN8n } from '../../nodes/DingTalk/n8n/sharedRateLimit';
import {
	encodeCommand,
	MAX_REPLY_BYTES,
	parseReply,
	ReplyReader,
	RedisReplyError,
	type RedisReply,
} from '../../nodes/DingTalk/shared/transport/redis';

describe('RESP', () => {
	test('a command is an array of bulk strings (bytes, not characters, counted)', () => {
		expect(encodeCommand(['SET', 'k', '值', 12]).toString()).toBe(
			'*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n值\r\n$2\r\n12\r\n',
		);
	});

	test('replies of every kind, and until a reply is whole how many bytes it needs', () => {
		expect(parseReply(Buffer.from('+OK\r\n'))).toEqual({ reply: 'OK', next: 5 });
		expect(parseReply(Buffer.from(':1050\r\n'))).toEqual({ reply: 1050, next: 7 });
		expect(parseReply(Buffer.from('$-1\r\n'))).toEqual({ reply: null, next: 5 });
		// The bulk string's announced length: nothing before 3 + 2 bytes after its header.
		expect(parseReply(Buffer.from('$3\r\nab'))).toEqual({ need: 9 });
		expect(parseReply(Buffer.from('$3\r'))).toEqual({ need: 4 });
		expect(parseReply(Buffer.from('*2\r\n$1\r\na\r\n:3\r\n'))).toEqual({
			reply: ['a', 3],
			next: 15,
		});
		expect(parseReply(Buffer.from('*2\r\n$1\r\na\r\n'))).toEqual({ need: 12 });
		const error = (
			parseReply(Buffer.from('-NOSCRIPT No matching script\r\n')) as { reply: unknown }
		).reply;
		expect(error).toBeInstanceOf(RedisReplyError);
		expect((error as Error).message).toBe('NOSCRIPT No matching script');
		expect(() => parseReply(Buffer.from('?what\r\n'))).toThrow(/not RESP/);
		expect(() => parseReply(Buffer.from('$x\r\n'))).toThrow(/not RESP/);
	});

	test('an error inside an array is an element of it (EXEC, a script returning a table), nested too', () => {
		const parsed = parseReply(Buffer.from('*3\r\n-ERR x\r\n:1\r\n*1\r\n-ERR y\r\n+after\r\n')) as {
			reply: unknown[];
			next: number;
		};
		expect(parsed.reply).toEqual([new RedisReplyError('ERR x'), 1, [new RedisReplyError('ERR y')]]);
		expect(parsed.next).toBe(28);
		expect(
			parseReply(Buffer.from('*3\r\n-ERR x\r\n:1\r\n*1\r\n-ERR y\r\n+after\r\n'), parsed.next),
		).toEqual({ reply: 'after', next: 36 });
	});
});

describe('ReplyReader', () => {
	const reading = () => {
		const replies: Array<RedisReply | RedisReplyError> = [];
		return { replies, reader: new ReplyReader((reply) => replies.push(reply)) };
	};

	test('replies split anyhow across chunks come out whole and in order', () => {
		const stream = Buffer.from('+OK\r\n$5\r\nhello\r\n*2\r\n-ERR x\r\n:7\r\n:9\r\n');
		for (const size of [1, 2, 3, 5, 7, stream.length]) {
			const { replies, reader } = reading();
			for (let offset = 0; offset < stream.length; offset += size)
				reader.push(stream.subarray(offset, offset + size));
			expect(replies).toEqual(['OK', 'hello', [new RedisReplyError('ERR x'), 7], 9]);
		}
	});

	test('refuses a reply over the cap: announced, or a line that never ends', () => {
		expect(() => reading().reader.push(Buffer.from(`$${MAX_REPLY_BYTES}\r\n`))).toThrow(
			/more than the 64 MiB this client takes/,
		);
		const { reader } = reading();
		const noLineEnd = Buffer.alloc(1024 * 1024, 0x2b);
		expect(() => {
			for (let index = 0; index <= 64; index++) reader.push(noLineEnd);
		}).toThrow(/more than the 64 MiB/);
		// Just under the cap is taken.
		const { replies, reader: under } = reading();
		const body = MAX_REPLY_BYTES - 64;
		under.push(Buffer.from(`$${body}\r\n`));
		under.push(Buffer.alloc(body, 0x61));
		under.push(Buffer.from('\r\n'));
		expect((replies[0] as string).length).toBe(body);
	});
});

describe("n8n's queue Redis settings", () => {
	const read = (values: Record<string, string>) => (name: string) => values[name];

	test('only in queue mode, and not for Redis Cluster', () => {
		expect(redisOptionsFromN8n(read({}))).toBeUndefined();
		expect(
			redisOptionsFromN8n(read({ EXECUTIONS_MODE: 'regular', QUEUE_BULL_REDIS_HOST: 'redis' })),
		).toBeUndefined();
		expect(
			redisOptionsFromN8n(
				read({ EXECUTIONS_MODE: 'queue', QUEUE_BULL_REDIS_CLUSTER_NODES: 'a:6379,b:6379' }),
			),
		).toBeUndefined();
	});

	test("n8n's defaults and every QUEUE_BULL_REDIS_* setting", () => {
		expect(redisOptionsFromN8n(read({ EXECUTIONS_MODE: 'queue' }))).toEqual(
			expect.objectContaining({
				host: 'localhost',
				port: 6379,
				db: 0,
				username: undefined,
				password: undefined,
				tls: false,
			}),
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
		).toEqual(
			expect.objectContaining({
				host: 'redis.internal',
				port: 6380,
				db: 2,
				username: 'n8n',
				password: 'pw',
				tls: true,
			}),
		);
	});
});
