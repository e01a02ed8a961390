-- The messages after a position, or a reset.
-- After the shared opening: ARGV[4] the position's epoch, ARGV[5] its offset, ARGV[6] the most
-- messages to return, ARGV[7] max age ms.
-- Returns {epoch, head, 'reset', start} or {epoch, head, 'ok', then per message: offset, time
-- ms, event, data, 1 or 0 for whether a publisher id follows, publisher id or ''}. A reset's start
-- is the offset just before the oldest message held young enough to keep (head if none), so the
-- client is then handed all of them; a position beyond the head resets to the head.
local since = tonumber(ARGV[5])
local clock = redis.call('TIME')
local cutoff = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) - tonumber(ARGV[7])
local function timeOf(entry)
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 't' then
      return tonumber(fields[i + 1])
    end
  end
  return 0
end
local function offsetOf(entry)
  return tonumber(string.match(entry[1], '^(%d+)'))
end
local function reset()
  local first = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)[1]
  if not first then
    return done({epoch, head, 'reset', head})
  end
  if timeOf(first) >= cutoff then
    return done({epoch, head, 'reset', offsetOf(first) - 1})
  end
  -- Offsets in the stream are dense and times grow with them: bisect for the first young entry.
  local lo, hi = offsetOf(first) + 1, head + 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local probe = redis.call('XRANGE', log, string.format('%d-0', mid), '+', 'COUNT', 1)[1]
    if probe and timeOf(probe) < cutoff then
      lo = mid + 1
    else
      hi = mid
    end
  end
  return done({epoch, head, 'reset', lo - 1})
end
if ARGV[4] == epoch and since > head then
  return done({epoch, head, 'reset', head})
end
if ARGV[4] ~= epoch then
  return reset()
end
if since == head then
  return done({epoch, head, 'ok'})
end
local wanted = string.format('%d-0', since + 1)
local entries = redis.call('XRANGE', log, wanted, '+', 'COUNT', ARGV[6])
if #entries == 0 or entries[1][1] ~= wanted then
  return reset()
end
local out = {epoch, head, 'ok'}
for i, entry in ipairs(entries) do
  local f = {}
  local fields = entry[2]
  for j = 1, #fields, 2 do
    f[fields[j]] = fields[j + 1]
  end
  local time = tonumber(f['t']) or 0
  if i == 1 and time < cutoff then
    -- Times grow with offsets: the first entry is the oldest, and it is past the age limit.
    return reset()
  end
  out[#out + 1] = tonumber(string.match(entry[1], '^(%d+)'))
  out[#out + 1] = time
  out[#out + 1] = f['e']
  out[#out + 1] = f['d']
  if f['p'] then
    out[#out + 1] = 1
    out[#out + 1] = f['p']
  else
    out[#out + 1] = 0
    out[#out + 1] = ''
  end
end
return done(out)
