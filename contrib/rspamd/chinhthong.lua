--[[
chinhthong: rspamd symbols and scores from chinhthong's verdict on each message.

The message is posted to chinhthong's check service (POST /api/v1/check/email); its verdict
(official, impersonation, malicious, suspicious, unknown) becomes a CHINHTHONG_<VERDICT>
symbol, and its stable reason codes become the reason symbols configured in chinhthong.conf.

chinhthong trusts only the topmost Authentication-Results field of a message, so the message
is sent with one more field on top, written under the configured authserv-id from rspamd's own
SPF, DKIM and DMARC results (this module runs after those checks). Nothing else is changed,
and nothing is added to the message rspamd delivers.

Fail open: a service that errs, answers nonsense or does not answer in time gives
CHINHTHONG_FAIL (score 0) and nothing else; the message goes on as rspamd's other rules decide.

Installed as /etc/rspamd/plugins.d/chinhthong.lua, with its settings in
/etc/rspamd/modules.d/chinhthong.conf (README.md).
]]

if confighelp then
  return
end

local N = 'chinhthong'
local rspamd_http = require "rspamd_http"
local rspamd_logger = require "rspamd_logger"
local rspamd_util = require "rspamd_util"
local lua_util = require "lua_util"
local ucl = require "ucl"

local settings = {
  url = 'http://127.0.0.1:8000/api/v1/check/email',
  api_key = '',
  timeout = 3.0,
  authserv_id = '',  -- empty: this machine's host name
  max_message_size = 10 * 1024 * 1024,  -- the service refuses larger messages (413)
  max_answer_size = 256 * 1024,
  check_authenticated = false,  -- mail from authenticated users is outbound: not judged
  check_symbol = 'CHINHTHONG_CHECK',
  fail_symbol = 'CHINHTHONG_FAIL',
  reasons_symbol = 'CHINHTHONG_REASONS',
  verdicts = {
    official = { symbol = 'CHINHTHONG_OFFICIAL', score = -5.0 },
    impersonation = { symbol = 'CHINHTHONG_IMPERSONATION', score = 12.0 },
    malicious = { symbol = 'CHINHTHONG_MALICIOUS', score = 15.0 },
    suspicious = { symbol = 'CHINHTHONG_SUSPICIOUS', score = 5.0 },
    unknown = { symbol = 'CHINHTHONG_UNKNOWN', score = 0.0 },
  },
  reason_symbols = {},  -- SYMBOL = { codes = [...]; score = ...; description = ... }
}

local MAX_PARTS_DEPTH = 3  -- parts of parts: deeper ones are not read
local MAX_CODES = 100  -- reason entries read from one answer
local MAX_OPTION = 100  -- bytes of one symbol option

-- Symbol results rspamd's own modules insert, as RFC 8601 results.
local SPF_RESULTS = {
  R_SPF_ALLOW = 'pass', R_SPF_FAIL = 'fail', R_SPF_SOFTFAIL = 'softfail',
  R_SPF_NEUTRAL = 'neutral', R_SPF_DNSFAIL = 'temperror', R_SPF_PERMFAIL = 'permerror',
  R_SPF_NA = 'none',
}
local DMARC_RESULTS = {
  DMARC_POLICY_ALLOW = 'pass', DMARC_POLICY_REJECT = 'fail',
  DMARC_POLICY_QUARANTINE = 'fail', DMARC_POLICY_SOFTFAIL = 'fail',
  DMARC_DNSFAIL = 'temperror', DMARC_BAD_POLICY = 'permerror', DMARC_NA = 'none',
}
local DKIM_RESULTS = {
  allow = 'pass', reject = 'fail', tempfail = 'temperror', permerror = 'permerror',
  ['bad record'] = 'permerror',
}
-- These say what was checked, on every answer: noise among the reasons.
local QUIET_CODES = { email_checked = true, email_checked_no_sender = true }

local code_symbols = {}  -- reason code -> symbol, from settings.reason_symbols

-- A value from the message or the answer, safe as a symbol option or header text: no control
-- characters (no header injection), bounded.
local function clean(value, limit)
  if type(value) ~= 'string' then
    return nil
  end
  value = value:gsub('[%c]', ' ')
  if #value > limit then
    value = value:sub(1, limit)
  end
  return value
end

-- An RFC 8601 property value: a token as it is, anything else as a quoted string.
local function ar_value(value)
  value = clean(value, 255)
  if not value or value == '' then
    return nil
  end
  if value:match('^[%w%.%-_@+=]+$') then
    return value
  end
  return '"' .. value:gsub('[\\"]', '\\%0') .. '"'
end

local function first_result(task, results)
  for symbol, result in pairs(results) do
    if task:has_symbol(symbol) then
      return result
    end
  end
  return nil
end

-- The Authentication-Results field summarising rspamd's own checks, for chinhthong to trust
-- as the receiving server's. Methods rspamd did not check are left out; with none, "none".
local function authentication_results(task)
  local parts = {}
  local spf = first_result(task, SPF_RESULTS)
  if spf then
    local envelope = ((task:get_from('smtp') or {})[1] or {}).addr
    local piece = 'spf=' .. spf
    if envelope and envelope ~= '' then
      piece = piece .. ' smtp.mailfrom=' .. (ar_value(envelope) or '""')
    elseif task:get_helo() then
      piece = piece .. ' smtp.helo=' .. (ar_value(task:get_helo()) or '""')
    end
    parts[#parts + 1] = piece
  end
  for _, signature in ipairs(task:get_dkim_results() or {}) do
    local piece = 'dkim=' .. (DKIM_RESULTS[signature.result] or 'neutral')
    local domain = ar_value(signature.domain)
    if domain then
      piece = piece .. ' header.d=' .. domain
    end
    parts[#parts + 1] = piece
  end
  local dmarc = first_result(task, DMARC_RESULTS)
  if dmarc then
    -- header.from is the From domain as written: chinhthong matches it against the From line.
    -- With several From addresses (DMARC refuses those) none is named.
    local from = task:get_from('mime') or {}
    local piece = 'dmarc=' .. dmarc
    if #from == 1 and ar_value(from[1].domain) then
      piece = piece .. ' header.from=' .. ar_value(from[1].domain)
    elseif dmarc == 'pass' then
      piece = nil  -- a pass naming no domain would count for any From: never written
    end
    parts[#parts + 1] = piece
  end
  if #parts == 0 then
    parts[1] = 'none'
  end
  return string.format('Authentication-Results: %s;\r\n\t%s\r\n', settings.authserv_id,
      table.concat(parts, ';\r\n\t'))
end

-- The first parameter of a reason worth showing as a symbol option (a file name, a host...).
local OPTION_PARAMS = { 'name', 'host', 'domain', 'address', 'shown', 'source', 'official' }
local function reason_option(reason)
  local params = type(reason.params) == 'table' and reason.params or {}
  for _, key in ipairs(OPTION_PARAMS) do
    local value = clean(params[key], MAX_OPTION)
    if value and value ~= '' then
      return value
    end
  end
  return nil
end

-- Reason codes of the answer and of its parts (the sender, each link), in order, once each,
-- with the options found for each.
local function collect_reasons(answer)
  local found, order, seen = {}, {}, 0
  local function walk(result, depth)
    if type(result) ~= 'table' or depth > MAX_PARTS_DEPTH then
      return
    end
    for _, reason in ipairs(type(result.reasons) == 'table' and result.reasons or {}) do
      seen = seen + 1
      if seen > MAX_CODES then
        return
      end
      local code = type(reason) == 'table' and reason.code
      if type(code) == 'string' and #code <= 64 and code:match('^[%w_]+$')
          and not QUIET_CODES[code] then
        if not found[code] then
          found[code] = {}
          order[#order + 1] = code
        end
        local option = reason_option(reason)
        if option and #found[code] < 5 then
          table.insert(found[code], option)
        end
      end
    end
    for _, part in ipairs(type(result.parts) == 'table' and result.parts or {}) do
      walk(part, depth + 1)
    end
  end
  walk(answer, 0)
  return order, found
end

-- "slug (identifier)" of the channel the answer names, for the verdict symbol's options.
local function channel_option(channel)
  if type(channel) ~= 'table' then
    return nil
  end
  local slug = clean(channel.slug, MAX_OPTION)
  local identifier = clean(channel.identifier, MAX_OPTION)
  if slug and identifier and identifier ~= '' then
    return string.format('%s (%s)', slug, identifier)
  end
  return slug
end

local function fail(task, why)
  rspamd_logger.infox(task, '%s: check failed, message not judged: %s', N, why)
  task:insert_result(settings.fail_symbol, 1.0, clean(why, MAX_OPTION))
end

local function insert_answer(task, answer)
  local verdict = type(answer) == 'table' and settings.verdicts[answer.verdict]
  if not verdict then
    return fail(task, 'the answer has no verdict')
  end
  local channel = channel_option(answer.lookalike_of) or channel_option(answer.channel)
  if channel then
    task:insert_result(verdict.symbol, 1.0, channel)
  else
    task:insert_result(verdict.symbol, 1.0)
  end
  local codes, options = collect_reasons(answer)
  if #codes > 0 then
    task:insert_result(settings.reasons_symbol, 1.0, codes)
  end
  for _, code in ipairs(codes) do
    local symbol = code_symbols[code]
    if symbol then
      if #options[code] > 0 then
        task:insert_result(symbol, 1.0, options[code])
      else
        task:insert_result(symbol, 1.0)
      end
    end
  end
end

-- libucl builds nested values, and rspamd turns them into Lua tables, by recursion: an answer
-- nested thousands deep could exhaust the stack. So the structure is checked first: outside
-- strings only JSON's characters (no UCL comments or single quotes hiding brackets from this
-- count), and at most MAX_NESTING levels.
local MAX_NESTING = 16
local function plain_json(text)
  local depth, pos = 0, 1
  while pos <= #text do
    local quote = text:find('"', pos, true) or (#text + 1)
    local between = text:sub(pos, quote - 1)
    if between:find('[^%s%w%.%-%+:,%[%]{}]') then
      return false
    end
    for bracket in between:gmatch('[%[%]{}]') do
      depth = depth + ((bracket == '[' or bracket == '{') and 1 or -1)
      if depth > MAX_NESTING then
        return false
      end
    end
    if quote > #text then
      return true
    end
    local finish, escaped = quote, false
    repeat  -- to the quote that ends the string, past escaped characters
      finish = text:find('["\\]', finish + 1)
      if not finish then
        return false
      end
      escaped = text:sub(finish, finish) == '\\'
      if escaped then
        finish = finish + 1
      end
    until not escaped
    pos = finish + 1
  end
  return true
end

-- Macros off: an answer is data, never an instruction to read files.
local UCL_FLAGS = 4 + 32 + 64  -- UCL_PARSER_NO_TIME, _DISABLE_MACRO, _NO_FILEVARS

local function read_answer(task, err, code, body)
  if err then
    return fail(task, err)
  end
  if code ~= 200 then
    return fail(task, string.format('the service answered HTTP %s', code))
  end
  if type(body) ~= 'string' or body == '' then
    return fail(task, 'the service answered nothing')
  end
  if not plain_json(body) then
    return fail(task, 'the answer is not plain JSON')
  end
  local parser = ucl.parser(UCL_FLAGS)
  local parsed, parse_error = parser:parse_string(body)
  if not parsed then
    return fail(task, 'the answer is not JSON: ' .. tostring(parse_error))
  end
  insert_answer(task, parser:get_object())
end

local function check(task)
  if not settings.check_authenticated and task:get_user() then
    return
  end
  local content = task:get_content()
  if #content > settings.max_message_size then
    return fail(task, 'the message is larger than max_message_size')
  end
  local function on_answer(err, code, body)
    -- A hostile or broken answer must never reach rspamd as a Lua error.
    local ok, error_text = pcall(read_answer, task, err, code, body)
    if not ok then
      fail(task, 'unreadable answer: ' .. tostring(error_text))
    end
  end
  local headers = { ['Accept'] = 'application/json' }
  if settings.api_key ~= '' then
    headers['X-API-Key'] = settings.api_key
  end
  local sent = rspamd_http.request({
    task = task,
    url = settings.url,
    method = 'POST',
    mime_type = 'message/rfc822',
    headers = headers,
    body = { authentication_results(task), content },
    timeout = settings.timeout,
    max_size = settings.max_answer_size,
    callback = on_answer,
  })
  if not sent then
    fail(task, 'the request could not be sent')
  end
end

local function check_guarded(task)
  local ok, error_text = pcall(check, task)
  if not ok then
    fail(task, 'module error: ' .. tostring(error_text))
  end
end

-- Settings -------------------------------------------------------------------------------

local opts = rspamd_config:get_all_opt(N)
if not opts then
  return
end
settings = lua_util.override_defaults(settings, opts)
settings.timeout = tonumber(settings.timeout) or 3.0
settings.max_message_size = tonumber(settings.max_message_size) or 10 * 1024 * 1024
settings.max_answer_size = tonumber(settings.max_answer_size) or 256 * 1024
settings.api_key = tostring(settings.api_key or '')
if settings.authserv_id == '' then
  settings.authserv_id = rspamd_util.get_hostname()
end
if not tostring(settings.authserv_id):match('^[%w%.%-_]+$') then
  rspamd_logger.errx(rspamd_config, '%s: authserv_id must be a host name', N)
  lua_util.disable_module(N, 'config')
  return
end
if type(settings.url) ~= 'string' or not settings.url:match('^https?://') then
  rspamd_logger.errx(rspamd_config, '%s: url must be an http:// or https:// URL', N)
  lua_util.disable_module(N, 'config')
  return
end

local id = rspamd_config:register_symbol({
  name = settings.check_symbol,
  type = 'normal',
  callback = check_guarded,
  group = 'chinhthong',
  score = 0.0,
  augmentations = { string.format('timeout=%f', settings.timeout) },
})
-- rspamd's own SPF, DKIM and DMARC results go into the Authentication-Results field, so they
-- must be final first. DMARC_CHECK waits for SPF and DKIM itself.
for _, symbol in ipairs({ 'DMARC_CHECK', 'R_SPF_ALLOW', 'R_DKIM_ALLOW' }) do
  rspamd_config:register_dependency(settings.check_symbol, symbol)
end

local function register_virtual(name, score, description)
  rspamd_config:register_symbol({
    name = name,
    type = 'virtual',
    parent = id,
    score = tonumber(score) or 0.0,
    group = 'chinhthong',
    description = description,
  })
end

for verdict, entry in pairs(settings.verdicts) do
  register_virtual(entry.symbol, entry.score, 'chinhthong verdict: ' .. verdict)
end
register_virtual(settings.fail_symbol, 0.0,
    'chinhthong did not answer in time or erred; the message was not judged')
register_virtual(settings.reasons_symbol, 0.0, 'chinhthong reason codes (options)')
for symbol, entry in pairs(settings.reason_symbols) do
  register_virtual(symbol, entry.score, entry.description or ('chinhthong reasons: ' .. symbol))
  for _, code in ipairs(type(entry.codes) == 'table' and entry.codes or {}) do
    code_symbols[code] = symbol
  end
end
