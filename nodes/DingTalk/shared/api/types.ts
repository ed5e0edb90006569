/**
 * One DingTalk API as this package calls it: the name its rate limit counts under, and
 * what a user is told when it fails. Each storage module describes its own APIs.
 */
export interface ApiSpec {
	/** DingTalk limits calls per app and per API: calls with the same name share a budget. */
	name: string;
	/** What the call does, to start an error message: "Listing the folder". */
	action: string;
	/** The app permission the API needs, named when DingTalk refuses the call. */
	permission?: string;
	/** Advice for this API that replaces the catalogue's general hint, by DingTalk error code. */
	hints?: Record<string, string>;
	/** Short names of this API's errors that replace the catalogue's, by DingTalk error code. */
	messages?: Record<string, string>;
	/**
	 * The API changes nothing though it is called with POST (a query): sent again on a new
	 * connection when the first one drops before the answer, as every GET is.
	 */
	readOnly?: boolean;
}

/** What the app authenticates with: its key and secret (tokens are issued and renewed), or a token. */
export type DingTalkAuth =
	| { kind: 'appCredentials'; appKey: string; appSecret: string }
	| { kind: 'accessToken'; accessToken: string };
