-- The opening every Herald script shares: finds the channel's epoch and head, starting a new
-- epoch when the channel has none or when its history predates this Redis process.
-- KEYS[1] the channel's meta hash (epoch, head, time, trim, boot), KEYS[2] its stream.
-- ARGV[1] the epoch to start if one is needed, ARGV[2] the meta hash's TTL in ms, ARGV[3] the
-- run id of the Redis process the caller believes it talks to, or '-' on a Redis Cluster, where
-- keys move between processes (failover, resharding) and lost history is found by the nodes
-- instead (verify.lua).
-- A caller with a stale run id gets {'stale', <run id>} and must call again with it.
local meta, log = KEYS[1], KEYS[2]
local state = redis.call('HMGET', meta, 'epoch', 'head', 'boot', 'time', 'trim')
local epoch, head = state[1], tonumber(state[2])
local lastTime, trimmedAt = tonumber(state[4]) or 0, tonumber(state[5]) or 0
if not epoch or (ARGV[3] ~= '-' and state[3] ~= ARGV[3]) then
  local runId = ARGV[3]
  if runId ~= '-' then
    runId = string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
  end
  if runId ~= ARGV[3] then
    return {'stale', runId}
  end
  -- A new channel, or one written by an earlier Redis process: a restart from disk or a failover
  -- to a replica may have lost its newest messages, whose offsets clients have seen and must
  -- never be handed out again. So its history starts over under a new epoch.
  epoch, head, lastTime, trimmedAt = ARGV[1], 0, 0, 0
  redis.call('DEL', log)
  redis.call('HSET', meta, 'epoch', epoch, 'head', '0', 'time', '0', 'trim', '0', 'boot', runId)
end
-- Every script ends through this: each use of a channel keeps its epoch alive a while longer.
local function done(reply)
  redis.call('PEXPIRE', meta, ARGV[2])
  return reply
end
