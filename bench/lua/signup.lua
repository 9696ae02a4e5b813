-- Sign-up with fresh addresses. args: run tag (unique per run), password.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
local tag, password, n = "", "", 0
local headers = { ["Content-Type"] = "application/json" }

function init(args)
   tag, password = args[1], args[2]
end

function request()
   n = n + 1
   return wrk.format("POST", "/v1/apps/default/signup", headers,
      '{"email":"' .. tag .. "-" .. tid .. "-" .. n .. '@example.com","password":"' .. password .. '"}')
end
