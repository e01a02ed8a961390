-- Checks that the channel still holds a message a node has seen, and starts a new epoch if it does
-- not: a Redis Cluster failover to a replica that had not received the newest messages, or a
-- restart from an older snapshot, sends the history backwards, and the next publishes would hand
-- the lost messages' offsets to other messages, which clients that saw the lost ones would skip.
-- After the shared opening: ARGV[4] the epoch the message was seen in, ARGV[5] its offset,
-- ARGV[6] its time in ms. Returns {epoch, 'kept'} or {new epoch, 'bumped'}.
-- The new epoch keeps the stream and the head: nothing stored since is lost, and every client of
-- the old epoch gets a reset to the oldest message held, then every message held.
if epoch ~= ARGV[4] then
  return done({epoch, 'kept'})
end
local seen = tonumber(ARGV[5])
local intact = true
if seen > head then
  intact = false
else
  local id = string.format('%d-0', seen)
  local entry = redis.call('XRANGE', log, id, id)[1]
  if entry then
    local fields = entry[2]
    for i = 1, #fields, 2 do
      if fields[i] == 't' and fields[i + 1] ~= ARGV[6] then
        -- The offset was handed out again, to another message.
        intact = false
      end
    end
  end
  -- No entry at or below the head: trimmed away, so the history does not cover it either way.
end
if intact then
  return done({epoch, 'kept'})
end
epoch = ARGV[1]
redis.call('HSET', meta, 'epoch', epoch)
return done({epoch, 'bumped'})
