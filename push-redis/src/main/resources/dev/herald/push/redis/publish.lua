-- Appends one message to the channel's history, assigns its offset and publishes it, atomically.
-- After the shared opening: ARGV[4] event, ARGV[5] data, ARGV[6] '1' if ARGV[7] is a publisher
-- id else '0', ARGV[7] publisher id, ARGV[8] max stream length, ARGV[9] max age ms, ARGV[10] the
-- Pub/Sub channel, ARGV[11] the command that publishes to it: PUBLISH, or SPUBLISH on a Redis
-- Cluster (the channel shares the keys' slot). Returns {epoch, offset, time ms}.
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
if now < lastTime then
  -- Times never go backwards along the offsets, so the age limit can be found by bisection.
  now = lastTime
end
local offset = head + 1
local nowText = string.format('%d', now)
local id = string.format('%d-0', offset)
-- The append is the first write for a known channel: if Redis refuses it (out of memory), the
-- script stops before the counter moved, and no offset goes missing.
if ARGV[6] == '1' then
  redis.call('XADD', log, 'MAXLEN', '~', ARGV[8], id,
    'e', ARGV[4], 'd', ARGV[5], 't', nowText, 'p', ARGV[7])
else
  redis.call('XADD', log, 'MAXLEN', '~', ARGV[8], id, 'e', ARGV[4], 'd', ARGV[5], 't', nowText)
end
redis.call('HSET', meta, 'head', string.format('%d', offset), 'time', nowText)

-- The age limit, checked at most every 1/16 of it (and at least a second apart).
local maxAge = tonumber(ARGV[9])
if now - trimmedAt >= math.max(1000, math.floor(maxAge / 16)) then
  redis.call('HSET', meta, 'trim', nowText)
  local cutoff = now - maxAge
  local function timeOf(entry)
    local fields = entry[2]
    for i = 1, #fields, 2 do
      if fields[i] == 't' then
        return tonumber(fields[i + 1])
      end
    end
    return 0
  end
  local first = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)[1]
  if first and timeOf(first) < cutoff then
    -- Offsets in the stream are dense from the first to the newest, so bisect on them for the
    -- first entry young enough to keep.
    local lo = tonumber(string.match(first[1], '^(%d+)')) + 1
    local hi = offset
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      local probe = redis.call('XRANGE', log, string.format('%d-0', mid), '+', 'COUNT', 1)[1]
      if probe and timeOf(probe) < cutoff then
        lo = mid + 1
      else
        hi = mid
      end
    end
    redis.call('XTRIM', log, 'MINID', string.format('%d-0', lo))
  end
end

redis.call('PEXPIRE', log, ARGV[9])
local publisher = ARGV[6] == '1' and ARGV[7] or ''
local publisherLength = ARGV[6] == '1' and #publisher or -1
redis.call(ARGV[11], ARGV[10], epoch .. ' ' .. string.format('%d', offset) .. ' ' .. nowText
  .. ' ' .. publisherLength .. ' ' .. #ARGV[4] .. ' ' .. publisher .. ARGV[4] .. ARGV[5])
return done({epoch, offset, now})
