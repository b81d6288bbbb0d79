// The semaphore's Lua scripts. One sorted set per semaphore: members are
// holder ids, scores their expiry in the server's own clock (milliseconds
// from TIME), so processes on machines with skewed clocks agree on who is
// expired. Every script first drops expired holders, so a crashed process's
// slot frees itself once its lease runs out. The key itself expires with its
// latest holder, so an idle semaphore leaves nothing behind.

const NOW = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
`;

const EXPIRE_WITH_LAST = `
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[1], last[2]) end
`;

/**
 * KEYS[1] the holders; ARGV[1] holder id, ARGV[2] limit, ARGV[3] ttl (ms).
 * Returns 1 when the id holds a slot now (also when it already did), else 0.
 */
export const ACQUIRE: string = NOW + `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
` + EXPIRE_WITH_LAST + `
return 1
`;

/**
 * KEYS[1] the holders; ARGV[1] ttl (ms), ARGV[2..] holder ids.
 * Extends each live holder's expiry; returns one 1 (renewed) or 0 (lost) per id.
 */
export const RENEW: string = NOW + `
local out = {}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
` + EXPIRE_WITH_LAST + `
return out
`;

/** KEYS[1] the holders. Returns how many holders are live. */
export const COUNT: string = NOW + `
return redis.call('ZCARD', KEYS[1])
`;
