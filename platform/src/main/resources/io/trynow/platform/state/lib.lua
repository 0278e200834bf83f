#!lua name=trynow_@VERSION@
--[[
trynow state library, version @VERSION@: the helpers shared by the functions that follow (one
file per function, assembled by io.trynow.platform.state.Library and loaded with
FUNCTION LOAD REPLACE).

Conventions of every function:
  KEYS[1]  the key base "{<prefix>}:". Every key of the store is that base plus a suffix, so all
           of them carry one hash tag and live in one slot: legal on Valkey Cluster. Keys are
           derived from KEYS[1] inside the functions; they share its slot.
  ARGV[1]  the caller's time in epoch ms (functions never read the server clock).
  reply    an array whose first element is a status string; numbers are strings; a record is
           the flat field/value array of HGETALL.
  errors   bad arguments raise "BADARG <why>" before anything is written (Lua has no rollback:
           every check comes first, then the writes).
  versions every write to an instance record bumps its "version".

Keys (suffixes of the base):
  i:<id>               instance hash (fields: see Instance.java); tombstone with TTL once ended
  r:<rid>              request hash (id, template, state, instance_id, client_ip,
                       owner_token_hash, created_at, assigned_at, ended_at, ttl_ms,
                       max_lifetime_ms, notified_pos = the queue position last told), with TTL
  state:<s>            set of ids per live state
  t:<tpl>:<s>          set of ids per template and live state
  t:<tpl>:readylist    list of ready ids, oldest first (LPOP takes, RPUSH adds)
  t:<tpl>:queue        list of queued request ids, oldest first
  started:<tpl>        zset instance id -> started_at, the last 1000 (the ETA's provisioning rate)
  h:<host>             set of live instance ids placed on a Docker host (place_instance)
  hosts:down           hash host -> since (ms) of drained hosts (host_down; host_up re-admits)
  templates            set of template names seen
  expiry               zset assigned id -> expires_at
  leases               zset claimed id -> lease_until (provisioning / terminating)
  slo:<tpl>            hash: the pool's demand estimate and service target (observe_demand.lua)
  slo:<tpl>:ptimes     list: recent provisioning times in ms, newest first (mark_ready)
  ip:<ip>              set of live request ids of a client IP (queued, or assigned while the
                       instance is assigned)
  ports:free           set of free ports; ports:used hash port -> id; ports:range hash first/last
  rl:<ip>:h:<n>, rl:<ip>:d:<n>   rate-limit counters of hour n / day n since the epoch
  rl:req:<rid>, rl:refund:<rid>  rate-limit markers (counted / refunded once per request)
  sse:all, sse:ip:<ip> the leases of open event streams, all and per client IP (sse_open.lua)
  c:<tpl>              the template's failure circuit (hash): state closed|open|half_open,
                       open_until, failures (consecutive), trips (openings since the last close,
                       the backoff exponent), reason (failures|image_missing), last_error,
                       last_error_at, probe (the half-open probe's id), changed_at
]]

local LIVE = {'requested', 'provisioning', 'started', 'ready', 'assigned', 'terminating'}
local IS_LIVE = {requested = true, provisioning = true, started = true, ready = true,
  assigned = true, terminating = true}

local function bad(why)
  error({err = 'BADARG ' .. why})
end

local function s(n)
  return string.format('%d', n)
end

local function int(v, name, min)
  local n = tonumber(v)
  if n == nil or n ~= math.floor(n) or n < min then
    bad(name .. ' must be an integer >= ' .. s(min))
  end
  return n
end

local function check(v, pattern, minlen, maxlen, what)
  if type(v) ~= 'string' or #v < minlen or #v > maxlen or not string.match(v, pattern) then
    bad('not ' .. what)
  end
  return v
end

local function check_id(v)
  return check(v, '^i[a-z2-7]+$', 20, 20, 'an instance id')
end

local function check_rid(v)
  return check(v, '^r[a-z2-7]+$', 26, 26, 'a request id')
end

local function check_tpl(v)
  return check(v, '^[a-z][a-z0-9%-]*$', 1, 32, 'a template name')
end

local function check_ip(v)
  return check(v, '^[0-9A-Fa-f.:]+$', 2, 64, 'an ip address')
end

local function check_host(v)
  return check(v, '^[a-z0-9][a-z0-9%-]*$', 1, 32, 'a host name')
end

local function check_token(v)
  return check(v, '^[A-Za-z0-9_=+/%-]+$', 16, 128, 'a token hash')
end

-- A worker's id (claims record it as claimed_by; '' = anonymous, never anyone's own).
local function check_owner(v)
  if v == nil or v == '' then
    return ''
  end
  return check(v, '^[A-Za-z0-9_.:@%-]+$', 1, 96, 'a worker id')
end

-- The claim on rec is owner's own (a worker recognises its claim after a failure or a restart).
local function own_claim(rec, owner)
  return owner ~= '' and rec.claimed_by == owner
end

local function k_inst(b, id) return b .. 'i:' .. id end
local function k_req(b, rid) return b .. 'r:' .. rid end
local function k_state(b, st) return b .. 'state:' .. st end
local function k_tstate(b, tpl, st) return b .. 't:' .. tpl .. ':' .. st end
local function k_ready(b, tpl) return b .. 't:' .. tpl .. ':readylist' end
local function k_queue(b, tpl) return b .. 't:' .. tpl .. ':queue' end
local function k_ip(b, ip) return b .. 'ip:' .. ip end
local function k_circuit(b, tpl) return b .. 'c:' .. tpl end
local function k_slo(b, tpl) return b .. 'slo:' .. tpl end
local function k_ptimes(b, tpl) return b .. 'slo:' .. tpl .. ':ptimes' end

-- Event stream slots (sse_open, sse_renew, sse_close): zsets lease id -> lease_until.
local function check_lease(v)
  return check(v, '^s[a-z2-7]+$', 20, 20, 'a stream lease id')
end

local function k_sse_ip(b, ip) return b .. 'sse:ip:' .. ip end

local function sse_hold(b, lease_id, ip, until_ms, lease)
  redis.call('ZADD', b .. 'sse:all', s(until_ms), lease_id)
  redis.call('ZADD', k_sse_ip(b, ip), s(until_ms), lease_id)
  redis.call('PEXPIRE', k_sse_ip(b, ip), s(lease))
end

local function fmt6(x)
  return string.format('%.6f', x)
end

-- The pool's demand estimate and target (slo:<tpl>) and recent provisioning times.
local function slo_reply(b, tpl)
  return {'ok', redis.call('HGETALL', k_slo(b, tpl)), redis.call('LRANGE', k_ptimes(b, tpl), 0, -1)}
end

-- Counts one new request of the template (warm: served from the ready list) for the pool's
-- demand estimate (observe_demand.lua).
local function count_arrival(b, tpl, warm)
  redis.call('HINCRBY', k_slo(b, tpl), 'arrivals', 1)
  if warm then
    redis.call('HINCRBY', k_slo(b, tpl), 'warm', 1)
  end
end
local function k_started(b, tpl) return b .. 'started:' .. tpl end
local function k_host(b, host) return b .. 'h:' .. host end

-- The record as a table, or nil.
local function load(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then
    return nil
  end
  local r = {}
  for i = 1, #flat, 2 do
    r[flat[i]] = flat[i + 1]
  end
  return r
end

local function numf(rec, field)
  return tonumber(rec[field] or '0') or 0
end

-- Moves id between the state sets (global and per template); ended states are not indexed.
local function move(b, id, rec, to)
  local from = rec.state
  if IS_LIVE[from] then
    redis.call('SREM', k_state(b, from), id)
    redis.call('SREM', k_tstate(b, rec.template, from), id)
  end
  if IS_LIVE[to] then
    redis.call('SADD', k_state(b, to), id)
    redis.call('SADD', k_tstate(b, rec.template, to), id)
  end
  redis.call('HSET', k_inst(b, id), 'state', to)
  rec.state = to
end

local function touch(b, id)
  redis.call('HINCRBY', k_inst(b, id), 'version', 1)
end

local function reply(b, id, status, repeated)
  return {status, repeated and '1' or '0', redis.call('HGETALL', k_inst(b, id))}
end

-- Gives the port back if this instance holds it (and it lies within the configured range).
local function free_port(b, id, rec)
  local p = rec.port
  if p == nil or p == '' or p == '0' then
    return
  end
  if redis.call('HGET', b .. 'ports:used', p) == id then
    redis.call('HDEL', b .. 'ports:used', p)
    local range = redis.call('HMGET', b .. 'ports:range', 'first', 'last')
    local n = tonumber(p)
    if range[1] and n >= tonumber(range[1]) and n <= tonumber(range[2]) then
      redis.call('SADD', b .. 'ports:free', p)
    end
  end
end

-- The client IP's live set no longer counts this instance's request.
local function drop_ip(b, rec)
  if rec.client_ip and rec.request_id then
    redis.call('SREM', k_ip(b, rec.client_ip), rec.request_id)
  end
end

-- Assigns a ready (or just started) instance to a request: owner, expiry, max lifetime.
local function assign(b, id, rec, rid, token, ip, now, ttl, maxlife, via)
  if ttl > maxlife then
    ttl = maxlife
  end
  move(b, id, rec, 'assigned')
  redis.call('HSET', k_inst(b, id), 'owner_token_hash', token, 'request_id', rid,
    'client_ip', ip, 'assigned_at', s(now), 'expires_at', s(now + ttl),
    'max_expires_at', s(now + maxlife), 'assigned_via', via)
  redis.call('ZADD', b .. 'expiry', s(now + ttl), id)
  rec.request_id = rid
  rec.client_ip = ip
end

-- The arguments of acquire (acquire.lua) and of its fast path (acquire_ready.lua), which takes
-- the same list (and two more): checked before anything is written.
local function acquire_args(args)
  local a = {
    now = int(args[1], 'now', 0),
    rid = check_rid(args[2]),
    tpl = check_tpl(args[3]),
    token = check_token(args[4]),
    ip = check_ip(args[5]),
    ttl = int(args[6], 'ttl_ms', 1),
    maxlife = int(args[7], 'max_lifetime_ms', 1),
    max_queue = int(args[8], 'max_queue', 0),
    max_ip = int(args[9], 'max_live_per_ip', 0),
    retention = int(args[10], 'retention_ms', 1),
    fields = args[11] or '',
    checks = (args[12] or '0') == '1'
  }
  if #a.fields > 8192 then
    bad('fields must be at most 8192 bytes')
  end
  return a
end

-- The oldest ready instance of the template, taken off its ready list: id and record, or nil.
-- A non-ready id at the head (a bug elsewhere) is dropped and never handed out when drop_stale;
-- otherwise nothing is taken and nil is returned (acquire.lua will drop it).
local function take_ready(b, tpl, drop_stale)
  local rl = k_ready(b, tpl)
  while true do
    local id = redis.call('LINDEX', rl, 0)
    if not id then
      return nil
    end
    local f = redis.call('HMGET', k_inst(b, id), 'state', 'template')
    if f[1] ~= 'ready' and not drop_stale then
      return nil
    end
    redis.call('LPOP', rl)
    if f[1] == 'ready' then
      return id, {state = f[1], template = f[2]}
    end
  end
end

-- The request a.rid takes the ready instance id (taken by take_ready): the instance assigned
-- (expiry, max lifetime), the request record, the client IP's live set, one warm arrival.
-- Returns the instance record (flat).
local function assign_request(b, id, rec, a)
  local rk = k_req(b, a.rid)
  assign(b, id, rec, a.rid, a.token, a.ip, a.now, a.ttl, a.maxlife, 'pool')
  touch(b, id)
  redis.call('HSET', rk, 'id', a.rid, 'template', a.tpl, 'state', 'assigned', 'instance_id', id,
    'client_ip', a.ip, 'owner_token_hash', a.token, 'created_at', s(a.now),
    'assigned_at', s(a.now), 'ttl_ms', s(a.ttl), 'max_lifetime_ms', s(a.maxlife))
  if a.fields ~= '' then
    redis.call('HSET', rk, 'fields', a.fields)
  end
  if a.checks then
    redis.call('HSET', rk, 'checking', '1')
  end
  redis.call('PEXPIRE', rk, s(a.maxlife + a.retention))
  redis.call('SADD', k_ip(b, a.ip), a.rid)
  redis.call('SADD', b .. 'templates', a.tpl)
  count_arrival(b, a.tpl, true)
  return redis.call('HGETALL', k_inst(b, id))
end

-- Checks and counts one call of ip in its hour and day windows (rate_limit.lua, and the fast
-- path acquire_ready.lua): the reply of rate_limit, {'allowed', ...} (counted, or a repeat of
-- rid: '1' last) or {'limited', ...} (nothing counted).
local function rate_count(b, now, ip, rid, per_hour, per_day)
  local hw = math.floor(now / 3600000)
  local dw = math.floor(now / 86400000)
  local hk = b .. 'rl:' .. ip .. ':h:' .. s(hw)
  local dk = b .. 'rl:' .. ip .. ':d:' .. s(dw)
  local hreset = (hw + 1) * 3600000
  local dreset = (dw + 1) * 86400000
  local h = tonumber(redis.call('GET', hk) or '0')
  local d = tonumber(redis.call('GET', dk) or '0')
  local mk = b .. 'rl:req:' .. rid
  if rid ~= '' and redis.call('EXISTS', mk) == 1 then
    return {'allowed', s(h), s(d), s(hreset), s(dreset), '1'}
  end
  if h >= per_hour then
    return {'limited', 'hour', s(h), s(hreset), s(h), s(d), s(hreset), s(dreset)}
  end
  if d >= per_day then
    return {'limited', 'day', s(d), s(dreset), s(h), s(d), s(hreset), s(dreset)}
  end
  redis.call('INCR', hk)
  redis.call('PEXPIRE', hk, s(hreset - now + 60000))
  redis.call('INCR', dk)
  redis.call('PEXPIRE', dk, s(dreset - now + 60000))
  if rid ~= '' then
    redis.call('SET', mk, s(now), 'PX', '172800000')
  end
  return {'allowed', s(h + 1), s(d + 1), s(hreset), s(dreset), '0'}
end

-- Leaves every index (state sets, ready list, expiry, leases), frees the port and keeps the
-- record as a tombstone with state `to` (failed or terminated) for `retention` ms.
local function finish(b, id, rec, to, now, retention)
  local ik = k_inst(b, id)
  if rec.state == 'ready' then
    redis.call('LREM', k_ready(b, rec.template), 0, id)
  end
  if rec.state == 'assigned' then
    drop_ip(b, rec)
  end
  redis.call('ZREM', b .. 'expiry', id)
  redis.call('ZREM', b .. 'leases', id)
  local host = redis.call('HGET', ik, 'host')
  if host then
    redis.call('SREM', k_host(b, host), id)
  end
  free_port(b, id, rec)
  move(b, id, rec, to)
  redis.call('HSET', ik, 'ended_at', s(now), 'lease_until', '0')
  touch(b, id)
  redis.call('PEXPIRE', ik, s(retention))
end

-- ready / assigned -> terminating, unclaimed (the cleanup worker claims it): out of the ready list
-- and the expiry index, fence + 1 (any older claim is void), last_error = why. The caller drops an
-- assigned instance's request from its IP's set when the request ends with it.
local function retire(b, id, rec, now, why)
  local ik = k_inst(b, id)
  if rec.state == 'ready' then
    redis.call('LREM', k_ready(b, rec.template), 0, id)
  end
  move(b, id, rec, 'terminating')
  redis.call('HINCRBY', ik, 'fence', 1)
  redis.call('HSET', ik, 'lease_until', '0', 'ended_at', s(now), 'last_error', why)
  redis.call('ZREM', b .. 'expiry', id)
  touch(b, id)
end

-- A queued request ends in `state` (expired, unavailable), already out of its queue: out of its
-- IP's live set, kept for retention ms. Returns the record.
local function end_queued(b, rid, req, state, now, retention)
  local rk = k_req(b, rid)
  redis.call('HSET', rk, 'state', state, 'ended_at', s(now))
  redis.call('PEXPIRE', rk, s(retention))
  redis.call('SREM', k_ip(b, req.client_ip), rid)
  return redis.call('HGETALL', rk)
end

-- Fails a live instance before terminating; an assigned one takes its request along.
local function fail(b, id, rec, now, why, retention)
  local was = rec.state
  local rid = rec.request_id
  redis.call('HSET', k_inst(b, id), 'last_error', why)
  redis.call('HINCRBY', k_inst(b, id), 'fence', 1)
  finish(b, id, rec, 'failed', now, retention)
  if was == 'assigned' and rid then
    local rk = k_req(b, rid)
    if redis.call('HGET', rk, 'state') == 'assigned' then
      redis.call('HSET', rk, 'state', 'failed', 'ended_at', s(now))
      redis.call('PEXPIRE', rk, s(retention))
    end
  end
end

-- Per-template counts in LIVE order, then the queue length.
local function counts(b, tpl)
  local c = {}
  for _, st in ipairs(LIVE) do
    c[st] = redis.call('SCARD', k_tstate(b, tpl, st))
  end
  c.waiting = redis.call('LLEN', k_queue(b, tpl))
  return c
end

local function count_strings(c)
  return s(c.requested), s(c.provisioning), s(c.started), s(c.ready), s(c.assigned),
    s(c.terminating), s(c.waiting)
end

-- The template's failure circuit as a table; a template never seen is closed.
local function circuit(b, tpl)
  local c = load(k_circuit(b, tpl)) or {}
  c.state = c.state or 'closed'
  return c
end

-- How long (ms) a new visitor should wait before asking again, or nil while the circuit is
-- closed. Half-open: a probe decides soon; open: until open_until (at least 1 s).
local function circuit_retry_ms(b, tpl, now)
  local c = circuit(b, tpl)
  if c.state == 'closed' then
    return nil, c
  end
  if c.state == 'open' then
    return math.max(1000, numf(c, 'open_until') - now), c
  end
  return 5000, c
end

-- Closes the circuit (a provision succeeded, or the missing image is back).
local function circuit_close(b, tpl, now)
  local ck = k_circuit(b, tpl)
  if redis.call('EXISTS', ck) == 0 then
    return false
  end
  local was = redis.call('HGET', ck, 'state')
  redis.call('HSET', ck, 'state', 'closed', 'failures', '0', 'trips', '0', 'probe', '',
    'open_until', '0', 'reason', '')
  if was ~= 'closed' then
    redis.call('HSET', ck, 'changed_at', s(now))
    return true
  end
  return false
end

-- Counts one provision failure of the template. Closed: opens once `threshold` failures follow
-- each other; half-open (the probe, or anything in flight, failed): opens again. Opening waits
-- base * 2^(trips-1), capped at `cap`, with "equal jitter": half of it fixed, half scaled by
-- jitter/1000 (the caller's random number: functions stay deterministic). Open: only the error
-- is recorded. Returns true when this failure opened the circuit.
local function circuit_fail(b, tpl, now, why, threshold, base, cap, jitter)
  local ck = k_circuit(b, tpl)
  local c = circuit(b, tpl)
  local failures = numf(c, 'failures') + 1
  redis.call('HSET', ck, 'failures', s(failures), 'last_error', why, 'last_error_at', s(now))
  if c.state == 'open' or (c.state == 'closed' and failures < threshold) then
    if c.state == 'closed' then
      redis.call('HSET', ck, 'state', 'closed')
    end
    return false
  end
  local trips = numf(c, 'trips') + 1
  local delay = base
  for _ = 2, trips do
    delay = delay * 2
    if delay >= cap then
      break
    end
  end
  delay = math.min(delay, cap)
  delay = math.floor(delay / 2 + (delay / 2) * jitter / 1000)
  redis.call('HSET', ck, 'state', 'open', 'trips', s(trips), 'open_until', s(now + delay),
    'reason', 'failures', 'probe', '', 'changed_at', s(now))
  return true
end

local function fn(name, callback)
  redis.register_function('trynow_@VERSION@_' .. name, callback)
end

local function read_fn(name, callback)
  redis.register_function{function_name = 'trynow_@VERSION@_' .. name, callback = callback,
    flags = {'no-writes'}}
end
