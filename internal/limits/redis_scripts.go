package limits

import "github.com/redis/go-redis/v9"

// Lua shared by the rate scripts: the continuous-refill model of bucket.go,
// with time in microseconds. A bucket key holds "<used> <at>": units in use
// (a float, printed with 17 significant digits so that it reads back
// exactly) at time at (integer µs). An absent key is a full bucket; a key
// expires a second after the bucket would be full again.
const luaBucket = `
local function clock(arg)
  if arg ~= "" then return tonumber(arg) end
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call("TIME")
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function level(key, now, limit, period)
  local v = redis.call("GET", key)
  if not v then return 0, now end
  local sp = string.find(v, " ", 1, true)
  local u, at = tonumber(string.sub(v, 1, sp - 1)), tonumber(string.sub(v, sp + 1))
  if now > at then
    u = u - (now - at) * limit / period
    if u < 0 then u = 0 end
    at = now
  end
  return u, at
end

local function store(key, u, at, limit, period)
  if u <= 0 then
    redis.call("DEL", key)
    return
  end
  local ttl = math.ceil(u * period / limit / 1000) + 1000
  redis.call("SET", key, string.format("%.17g %.0f", u, at), "PX", ttl)
end
`

// reserveScript takes every charge or none.
//
//	KEYS[i]  bucket of charge i
//	ARGV[1]  now in µs, or "" for the server's clock
//	ARGV[3i-1], ARGV[3i], ARGV[3i+1]  limit, period in µs, amount of charge i
//
// It returns {0, remaining1, reset1, remaining2, reset2, …} on success (reset
// in µs), or {i, used, retryAfter, reset} for the first charge i that does
// not fit.
var reserveScript = redis.NewScript(luaBucket + `
local now = clock(ARGV[1])
local used, ats = {}, {}
for i = 1, #KEYS do
  local limit, period, amount = tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i]), tonumber(ARGV[3*i+1])
  local u, at = level(KEYS[i], now, limit, period)
  if u + amount > limit + 1e-6 then
    local over = u + amount - limit
    if amount > limit then over = u end -- never fits: report the time until full
    return {i, math.ceil(u - 1e-6), math.ceil(over * period / limit), math.ceil(u * period / limit)}
  end
  used[i], ats[i] = u, at
end
local out = {0}
for i = 1, #KEYS do
  local limit, period, amount = tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i]), tonumber(ARGV[3*i+1])
  local u = used[i] + amount
  store(KEYS[i], u, ats[i], limit, period)
  local rem = math.floor(limit - u + 1e-6)
  if rem < 0 then rem = 0 end
  out[2*i] = rem
  out[2*i+1] = math.ceil(u * period / limit)
end
return out
`)

// adjustScript changes units in use by deltas, never below empty.
//
//	KEYS[i]  bucket i
//	ARGV[1]  now in µs, or "" for the server's clock
//	ARGV[3i-1], ARGV[3i], ARGV[3i+1]  limit, period in µs, delta of bucket i
var adjustScript = redis.NewScript(luaBucket + `
local now = clock(ARGV[1])
for i = 1, #KEYS do
  local limit, period, delta = tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i]), tonumber(ARGV[3*i+1])
  local u, at = level(KEYS[i], now, limit, period)
  u = u + delta
  if u < 0 then u = 0 end
  store(KEYS[i], u, at, limit, period)
end
return 0
`)

// budgetReserveScript holds an amount of a budget window.
//
//	KEYS[1]  hash: spent, held, and h:<id> = amount of each hold
//	KEYS[2]  sorted set: hold ids scored by lease end (ms)
//	ARGV     now (ms), limit (0 = none), amount, hold id, lease end (ms),
//	         key expiry (ms since epoch, 0 = never)
//
// Holds whose lease has ended are released first. It returns {1, used} when
// held, {0, used} when refused, where used is spent + held before the call.
// Counters are Redis integers; the comparison is exact in Lua's doubles up to
// 2^53 nano-dollars (about $9M) per window.
var budgetReserveScript = redis.NewScript(`
local now, limit, amount = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local expired = redis.call("ZRANGEBYSCORE", KEYS[2], "-inf", now)
for _, id in ipairs(expired) do
  local a = redis.call("HGET", KEYS[1], "h:" .. id)
  if a then
    redis.call("HDEL", KEYS[1], "h:" .. id)
    redis.call("HINCRBY", KEYS[1], "held", "-" .. a)
  end
end
if #expired > 0 then redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", now) end
local f = redis.call("HMGET", KEYS[1], "spent", "held")
local used = (tonumber(f[1]) or 0) + (tonumber(f[2]) or 0)
if limit > 0 and used + amount > limit then return {0, used} end
redis.call("HSET", KEYS[1], "h:" .. ARGV[4], ARGV[3])
redis.call("HINCRBY", KEYS[1], "held", ARGV[3])
redis.call("ZADD", KEYS[2], ARGV[5], ARGV[4])
if ARGV[6] ~= "0" then
  redis.call("PEXPIREAT", KEYS[1], ARGV[6])
  redis.call("PEXPIREAT", KEYS[2], ARGV[6])
end
return {1, used}
`)

// budgetSeedScript sets a window's spend unless it has one.
//
//	KEYS[1]  as budgetReserveScript
//	ARGV     spend, key expiry (ms since epoch, 0 = never)
var budgetSeedScript = redis.NewScript(`
if redis.call("HSETNX", KEYS[1], "spent", ARGV[1]) == 1 and ARGV[2] ~= "0" then
  redis.call("PEXPIREAT", KEYS[1], ARGV[2])
end
return 0
`)

// budgetSettleScript releases a hold (if its lease has not ended) and adds
// the cost to the spend.
//
//	KEYS     as budgetReserveScript
//	ARGV     hold id, cost, key expiry (ms since epoch, 0 = never)
var budgetSettleScript = redis.NewScript(`
local a = redis.call("HGET", KEYS[1], "h:" .. ARGV[1])
if a then
  redis.call("HDEL", KEYS[1], "h:" .. ARGV[1])
  redis.call("HINCRBY", KEYS[1], "held", "-" .. a)
  redis.call("ZREM", KEYS[2], ARGV[1])
end
redis.call("HINCRBY", KEYS[1], "spent", ARGV[2])
if ARGV[3] ~= "0" then redis.call("PEXPIREAT", KEYS[1], ARGV[3]) end
return 0
`)
