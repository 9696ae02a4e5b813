-- Sign-in with the seeded users. args: logins file, password.
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
local reqs, i = {}, 0

function init(args)
   local headers = { ["Content-Type"] = "application/json" }
   for _, login in ipairs(read_lines(args[1])) do
      reqs[#reqs + 1] = wrk.format("POST", "/v1/apps/default/signin", headers,
         '{"login":"' .. login .. '","password":"' .. args[2] .. '"}')
   end
   i = (tid or 0) * 5
end

function request()
   i = i + 1
   return reqs[(i % #reqs) + 1]
end
