-- Access-token refresh: each refresh token is used once; the answer's new one goes back into the pool.
-- args: refresh tokens file (each thread takes its own share: thread k of n takes lines k, k+n, ...), threads.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
local pool = {}
local headers = { ["Content-Type"] = "application/json" }

function init(args)
   local all, n = read_lines(args[1]), tonumber(args[2])
   for k = tid, #all, n do pool[#pool + 1] = all[k] end
end

function request()
   local tok = table.remove(pool) or "exhausted"
   return wrk.format("POST", "/v1/apps/default/token/refresh", headers, '{"refresh_token":"' .. tok .. '"}')
end

function response(status, hdrs, body)
   local tok = body and body:match('"refresh_token":"([^"]+)"')
   if tok then pool[#pool + 1] = tok end
end
