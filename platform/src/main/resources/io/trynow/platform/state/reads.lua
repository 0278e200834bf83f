--[[ reads: read-only functions (flag no-writes), each one consistent snapshot.
keys:    KEYS[1] base
args:    now, then per function as below
returns: per function:
  get_instance   id          -> {'ok', instance} | {'not_found'}
  get_request    request_id  -> {'ok', request, position (1-based while queued, else 0)}
                                | {'not_found'}
  list_ids       state       -> {'ok', {id...}}          (live states only)
  list_instances state       -> {'ok', {instance...}}
  lease_expired  max         -> {'ok', {id...}}          leases that ended before now
  oldest_expiry              -> {'ok', expires_at ms}    the earliest expiry of an assigned
                                 instance ('' when none): the expiry index's first entry, O(log n)
  pool_stats     template    -> {'ok', requested, provisioning, started, ready, assigned,
                                 terminating, waiting}
  pool_slo       template    -> {'ok', {field, value...}, {ptime ms...}}  (see observe_demand)
  list_templates             -> {'ok', {template...}}
  get_circuit    template    -> {'ok', circuit hash}     (empty: never failed, closed)
  get_claim_failures template -> {'ok', {discarded, last_error, last_at}} (cf:<tpl>, written by
                                 discard_claim; empty: none)
  snapshot                   -> everything, for the consistency checker (see snapshot below)
errors:  BADARG on malformed arguments
]]
local function check_live(st)
  if not IS_LIVE[st] then
    bad('not a live state')
  end
  return st
end

local function get_instance(keys, args)
  local flat = redis.call('HGETALL', k_inst(keys[1], check_id(args[2])))
  if #flat == 0 then
    return {'not_found'}
  end
  return {'ok', flat}
end
read_fn('get_instance', get_instance)

local function get_request(keys, args)
  local b = keys[1]
  local rid = check_rid(args[2])
  local rk = k_req(b, rid)
  local req = load(rk)
  if not req then
    return {'not_found'}
  end
  local pos = 0
  if req.state == 'queued' then
    pos = (redis.call('LPOS', k_queue(b, req.template), rid) or -1) + 1
  end
  return {'ok', redis.call('HGETALL', rk), s(pos)}
end
read_fn('get_request', get_request)

local function list_ids(keys, args)
  return {'ok', redis.call('SMEMBERS', k_state(keys[1], check_live(args[2])))}
end
read_fn('list_ids', list_ids)

local function list_instances(keys, args)
  local b = keys[1]
  local out = {}
  for _, id in ipairs(redis.call('SMEMBERS', k_state(b, check_live(args[2])))) do
    local flat = redis.call('HGETALL', k_inst(b, id))
    if #flat > 0 then
      out[#out + 1] = flat
    end
  end
  return {'ok', out}
end
read_fn('list_instances', list_instances)

local function lease_expired(keys, args)
  local now = int(args[1], 'now', 0)
  local max = int(args[2], 'max', 1)
  return {'ok', redis.call('ZRANGEBYSCORE', keys[1] .. 'leases', '-inf', '(' .. s(now),
    'LIMIT', '0', s(max))}
end
read_fn('lease_expired', lease_expired)

local function pool_stats(keys, args)
  return {'ok', count_strings(counts(keys[1], check_tpl(args[2])))}
end
read_fn('pool_stats', pool_stats)

local function pool_slo(keys, args)
  return slo_reply(keys[1], check_tpl(args[2]))
end
read_fn('pool_slo', pool_slo)

local function oldest_expiry(keys, args)
  local first = redis.call('ZRANGE', keys[1] .. 'expiry', 0, 0, 'WITHSCORES')
  return {'ok', first[2] or ''}
end
read_fn('oldest_expiry', oldest_expiry)

local function list_templates(keys, args)
  return {'ok', redis.call('SMEMBERS', keys[1] .. 'templates')}
end
read_fn('list_templates', list_templates)

local function get_circuit(keys, args)
  return {'ok', redis.call('HGETALL', k_circuit(keys[1], check_tpl(args[2])))}
end
read_fn('get_circuit', get_circuit)

local function get_claim_failures(keys, args)
  return {'ok', redis.call('HGETALL', keys[1] .. 'cf:' .. check_tpl(args[2]))}
end
read_fn('get_claim_failures', get_claim_failures)

local function scan(pattern)
  local out = {}
  local cursor = '0'
  repeat
    local r = redis.call('SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000')
    cursor = r[1]
    for _, k in ipairs(r[2]) do
      out[#out + 1] = k
    end
  until cursor == '0'
  return out
end

--[[ snapshot reply:
  {'ok',
   {{pttl, instance}...},                 every i:* hash with its PTTL (-1 = none)
   {{pttl, request}...},                  every r:* hash
   {{state, {id...}}...},                 state:<s> sets
   {{key suffix, {id...}}...},            t:<tpl>:<s> sets, t:<tpl>:readylist and
                                          t:<tpl>:queue lists (suffix after the base)
   {{ip, {rid...}}...},                   ip:* sets
   {id, score, ...},                      expiry
   {id, score, ...},                      leases
   {port...},                             ports:free
   {port, id, ...},                       ports:used
   {first, last} or {},                   ports:range
   {template...}}                         templates
]]
local function snapshot(keys, args)
  local b = keys[1]
  local n = #b
  local instances, requests, states, tpls, ips = {}, {}, {}, {}, {}
  for _, k in ipairs(scan(b .. 'i:*')) do
    instances[#instances + 1] = {s(redis.call('PTTL', k)), redis.call('HGETALL', k)}
  end
  for _, k in ipairs(scan(b .. 'r:*')) do
    requests[#requests + 1] = {s(redis.call('PTTL', k)), redis.call('HGETALL', k)}
  end
  for _, st in ipairs(LIVE) do
    states[#states + 1] = {st, redis.call('SMEMBERS', k_state(b, st))}
  end
  for _, k in ipairs(scan(b .. 't:*')) do
    local t = redis.call('TYPE', k)['ok']
    local members
    if t == 'set' then
      members = redis.call('SMEMBERS', k)
    else
      members = redis.call('LRANGE', k, 0, -1)
    end
    tpls[#tpls + 1] = {string.sub(k, n + 1), members}
  end
  for _, k in ipairs(scan(b .. 'ip:*')) do
    ips[#ips + 1] = {string.sub(k, n + 4), redis.call('SMEMBERS', k)}
  end
  return {'ok', instances, requests, states, tpls, ips,
    redis.call('ZRANGE', b .. 'expiry', 0, -1, 'WITHSCORES'),
    redis.call('ZRANGE', b .. 'leases', 0, -1, 'WITHSCORES'),
    redis.call('SMEMBERS', b .. 'ports:free'),
    redis.call('HGETALL', b .. 'ports:used'),
    redis.call('HMGET', b .. 'ports:range', 'first', 'last'),
    redis.call('SMEMBERS', b .. 'templates')}
end
read_fn('snapshot', snapshot)
